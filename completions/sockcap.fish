# fish completion for sockcap(8).
# Install as ~/.config/fish/completions/sockcap.fish or in
# /usr/share/fish/vendor_completions.d/.

# No file names unless an option asks for them.
complete -c sockcap -f

# One command, before or after the options.
set -l sockcap_commands audit facts profiles
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a audit -d 'capacity, every limit, the binding one, live usage and warnings (default)'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a facts -d 'every fact read, with its source path and status'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a profiles -d 'the workload profiles, built in and from --profile FILE'

complete -c sockcap -s r -l root -x -a '(__fish_complete_directories)' \
    -d 'read DIR/proc and DIR/sys instead of /proc and /sys'
# Built-in profile names, then *.yaml and *.yml files and directories.
function __sockcap_profiles
    printf '%s\tbuilt-in profile\n' idle websocket http proxy bulk
    set -l token (commandline -ct | string replace -r -- '^(--profile=|-p)' '')
    for f in (complete -C "__fish_command_without_completions $token" |
            string replace -r -- '\t.*' '' | string match -r -- '^.*(?:/|\.ya?ml)$')
        if string match -q -- '*/' $f
            printf '%s\tdirectory\n' $f
        else
            printf '%s\tprofile file\n' $f
        end
    end
end
complete -c sockcap -s p -l profile -x -k -a '(__sockcap_profiles)' \
    -d 'workload profile: a built-in name or a YAML file'
complete -c sockcap -s f -l format -x -a 'text json yaml' -d 'output format'
complete -c sockcap -l processes -x -d 'worker processes sharing the connections (default 1)'
complete -c sockcap -l app-bytes -x -d 'user-space bytes per connection (4096, 8K, 1.5MiB)'
complete -c sockcap -l upstreams -x -d 'distinct upstream address:port pairs (default 1)'
complete -c sockcap -s o -l output -r -F -d 'write to FILE atomically instead of standard output'
complete -c sockcap -l color -x -a 'auto always never' -d 'colour the text output'
complete -c sockcap -s h -l help -d 'print the help and exit'
complete -c sockcap -s V -l version -d 'print the version and exit'
