# bash completion for sockcap(8)                         -*- shell-script -*-
#
# Install as /usr/share/bash-completion/completions/sockcap, or source it.
# Stands alone: it does not need the bash-completion package.

# Fills COMPREPLY with the values of option $1 that start with $2.
# Returns 1 when $1 is not an option that takes a value.
_sockcap_value()
{
    local opt=$1 cur=$2 f pids

    case $opt in
    -r | --root)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        ;;
    -p | --profile)
        # Built-in names, YAML files, and directories to descend into.
        mapfile -t COMPREPLY < <(compgen -W 'idle websocket http proxy bulk threads' -- "$cur")
        while IFS= read -r f; do
            if [[ -d $f || $f == *.yaml || $f == *.yml ]]; then
                COMPREPLY+=("$f")
            fi
        done < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        ;;
    -f | --format)
        mapfile -t COMPREPLY < <(compgen -W 'text json yaml prometheus' -- "$cur")
        ;;
    --color)
        mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
        ;;
    --pid)
        # The running processes of this host.
        pids=(/proc/[0-9]*)
        [[ -e ${pids[0]} ]] || pids=()
        mapfile -t COMPREPLY < <(compgen -W "${pids[*]#/proc/}" -- "$cur")
        ;;
    --unit)
        # Service units installed on this host.
        mapfile -t COMPREPLY < <(compgen -W "$(for d in /etc/systemd/system /run/systemd/system \
            /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
            [[ -d $d ]] && (cd "$d" && printf '%s\n' *.service)
        done 2>/dev/null)" -- "$cur")
        ;;
    --user)
        mapfile -t COMPREPLY < <(compgen -u -- "$cur")
        ;;
    --calibration)
        # JSON files, and directories to descend into.
        while IFS= read -r f; do
            if [[ -d $f || $f == *.json ]]; then
                COMPREPLY+=("$f")
            fi
        done < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        ;;
    -o | --output | --save)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
        ;;
    -t | --target | --processes | --upstreams | --app-bytes | --connections | --send | --reserve | \
        -w | --warning | -c | --critical | --timeout)
        # A number, a size or a range: nothing to offer.
        COMPREPLY=()
        ;;
    *)
        return 1
        ;;
    esac
    return 0
}

_sockcap()
{
    local cur prev prefix="" i have_command=""
    local commands='audit plan sysctl limits systemd modules-load modprobe ansible facts profiles calibrate nagios'
    local options='-r --root -p --profile -t --target -f --format --pid
        --unit --user --processes --app-bytes --upstreams --reserve --dropin --calibration -o --output --check
        --color -h --help -V --version'
    # Options of calibrate alone, and of nagios alone, offered unless
    # another command is given.
    local calibrate_options='--connections --save --send'
    local nagios_options='-w --warning -c --critical --timeout'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    # --opt=value: bash splits the word at '=' when '=' is in
    # COMP_WORDBREAKS (the default); otherwise the reply replaces the
    # whole word and must keep its "--opt=".
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        prefix=$prev=
        cur=${cur#*=}
    fi

    if _sockcap_value "$prev" "$cur"; then
        if [[ -n $prefix ]]; then
            for i in "${!COMPREPLY[@]}"; do
                COMPREPLY[i]=$prefix${COMPREPLY[i]}
            done
        fi
        return 0
    fi
    [[ -n $prefix ]] && return 0

    # One command at most, before or after the options; a word that is
    # an option's value is not a command.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        audit | plan | sysctl | limits | systemd | modules-load | modprobe | ansible | facts | profiles | calibrate | nagios)
            case ${COMP_WORDS[i - 1]} in
            -r | --root | -p | --profile | -t | --target | -f | --format | --color | \
                -o | --output | --pid | --unit | --user | --processes | --upstreams | --app-bytes | --reserve | --dropin | \
                --calibration | --connections | --save | -w | --warning | -c | \
                --critical | --timeout | =) ;;
            *) have_command=${COMP_WORDS[i]} ;;
            esac
            ;;
        esac
    done

    if [[ $cur == -* ]]; then
        if [[ -z $have_command || $have_command == calibrate ]]; then
            options+=" $calibrate_options"
        fi
        if [[ -z $have_command || $have_command == nagios ]]; then
            options+=" $nagios_options"
        fi
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return 0
    fi

    if [[ -z $have_command ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    fi
    return 0
}

complete -F _sockcap sockcap
