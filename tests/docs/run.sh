#!/bin/bash
# The documentation agrees with the program:
#  - the man page is clean under mandoc -Tlint -Wwarning and groff -ww;
#  - every option and command of --help is in the man page and in the bash,
#    zsh and fish completions, and nothing else is;
#  - the man page SYNOPSIS matches the usage line of --help;
#  - each shell really completes: bash through COMP_WORDS/COMPREPLY, fish
#    through `complete -C`, zsh at least `zsh -n`;
#  - every command in the man page's EXAMPLES runs against a fixture tree.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
man=$top/man/sockcap.8
comp=$top/completions
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
. "$top/tests/lib.sh"

# Lint: both tools must print nothing.
out=$(mandoc -Tlint -Wwarning "$man" 2>&1)
[ -z "$out" ] && ok || bad "mandoc -Tlint: $out"
out=$(groff -ww -z -man "$man" 2>&1)
[ -z "$out" ] && ok || bad "groff -ww: $out"

help=$("$sockcap" --help)
options=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
commands=$(printf '%s\n' "$help" | sed -n '/^commands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
[ -n "$options" ] && [ -n "$commands" ] && ok || bad "--help lists no options or commands"

# The man page, with its escapes undone.
plain=$(sed 's/\\-/-/g; s/\\e/\\/g; s/\\(aq/'"'"'/g' "$man")
man_options=$(printf '%s\n' "$plain" | sed -n '/^\.SH OPTIONS/,/^\.SH /p' | grep -E '^\.(TP|B|BR|IP)|^-' |
	grep -oE -- '--[a-z][a-z-]*' | sort -u)
for o in $options; do
	printf '%s\n' "$man_options" | grep -qx -- "$o" && ok || bad "man OPTIONS lacks $o"
	for f in sockcap.bash _sockcap sockcap.fish; do
		grep -qE -- "(--|\\-l |-l |'|\")${o#--}([^a-z-]|$)" "$comp/$f" && ok || bad "$f lacks $o"
	done
done
for o in $man_options; do
	printf '%s\n' "$options" | grep -qx -- "$o" && ok || bad "man OPTIONS documents $o, which --help does not know"
done
man_commands=$(printf '%s\n' "$plain" | sed -n '/^\.SH COMMANDS/,/^\.SH /p' | awk '/^\.TP/ {getline; print $2}' | sort -u)
for c in $commands; do
	printf '%s\n' "$man_commands" | grep -qx -- "$c" && ok || bad "man COMMANDS lacks $c"
	for f in sockcap.bash _sockcap sockcap.fish; do
		grep -qw -- "$c" "$comp/$f" && ok || bad "$f lacks the command $c"
	done
done
for c in $man_commands; do
	printf '%s\n' "$commands" | grep -qx -- "$c" && ok || bad "man COMMANDS documents $c, which --help does not know"
done
# Completion files name no option --help lacks.
for f in sockcap.bash _sockcap sockcap.fish; do
	for o in $(grep -v '^[[:space:]]*#' "$comp/$f" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		printf '%s\n' "$options" | grep -qx -- "$o" && ok || bad "$f offers $o, which --help does not know"
	done
done

# SYNOPSIS: its first line, as rendered, is the usage line of --help.
usage=$(printf '%s\n' "$help" | head -1 | sed 's/^usage: //')
synopsis=$(MANWIDTH=200 mandoc -Tascii -O width=200 "$man" | col -b | sed -n '/^SYNOPSIS/,/^[A-Z]/p' |
	sed -n '2p' | sed 's/^ *//')
[ "$synopsis" = "$usage" ] && ok || bad "man SYNOPSIS '$synopsis' is not the usage '$usage'"

# bash: complete for real.
bash_complete() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_sockcap sockcap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$comp/sockcap.bash" "$@" 2>/dev/null
}
[ "$(bash_complete sockcap --fo)" = "--format" ] && ok || bad "bash: --fo does not complete to --format"
[ "$(bash_complete sockcap --format '' | sort | tr '\n' ' ')" = "json prometheus text yaml " ] && ok || bad "bash: --format values"
[ "$(bash_complete sockcap --color al)" = "always" ] && ok || bad "bash: --color values"
bash_complete sockcap -p '' | grep -qx proxy && ok || bad "bash: built-in profiles for -p"
for c in $commands; do bash_complete sockcap '' | grep -qx "$c" && ok || bad "bash: command $c not offered"; done

# fish: complete -C needs sockcap on PATH.
if command -v fish >/dev/null; then
	fish_complete() {
		PATH=$top:$PATH fish -N -c "set -p fish_complete_path $comp; complete -C'$1'" 2>/dev/null | cut -f1
	}
	fish_complete 'sockcap --fo' | grep -qx -- --format && ok || bad "fish: --fo"
	[ "$(fish_complete 'sockcap --format ' | sort | tr '\n' ' ')" = "json prometheus text yaml " ] && ok || bad "fish: --format values"
	fish_complete 'sockcap -p ' | grep -qx websocket && ok || bad "fish: profiles"
	for c in $commands; do fish_complete 'sockcap ' | grep -qx "$c" && ok || bad "fish: command $c"; done
else
	bad "fish is not installed"
fi
if command -v zsh >/dev/null; then
	zsh -n "$comp/_sockcap" && ok || bad "zsh -n _sockcap"
else
	bad "zsh is not installed"
fi

# EXAMPLES: every sockcap command, run against a copy of a fixture tree
# (those without --root get the debian12-vm one); -o goes to a scratch file;
# pipes are cut; --check may exit 1.
cp -R "$top/tests/fixtures/debian12-vm" "$work/host"
printf '%s\n' "$plain" | sed -n '/^\.SH EXAMPLES/,/^\.SH /p' | sed -n '/^\.EX/,/^\.EE/p' | grep -v '^\.' |
	sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta' | grep '^sockcap' >"$work/examples"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	cmd=${line%%|*}
	cmd=$(printf '%s' "$cmd" | sed "s|tests/fixtures/|$top/tests/fixtures/|g; s|-o [^ ]*|-o $work/out.$n|; s|\\./chat.yaml|$top/tests/cli/profiles/chat.yaml|g")
	case $cmd in *" -r "* | *"--root "*) ;; *) cmd="$cmd --root $work/host" ;; esac
	# shellcheck disable=SC2086
	(cd "$work" && eval "\"$sockcap\" ${cmd#sockcap}") >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && case $cmd in *--check*) true ;; *) false ;; esac; }; then ok
	else bad "EXAMPLES: '$line' exits $rc: $(head -c 200 "$work/err")"; fi
done <"$work/examples"
[ $n -ge 5 ] && ok || bad "EXAMPLES has only $n sockcap commands"

finish docs
