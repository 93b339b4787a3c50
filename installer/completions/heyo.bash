# bash completion for heyo(1), the Heyo Access command line. Installed as
# /usr/share/bash-completion/completions/heyo. Completes commands, their options and fixed arguments; it never
# contacts the service (a TAB must not wait on the network), so endpoint slugs are not completed.

_heyo()
{
    local cur prev words cword
    _init_completion || return

    local global_opts="--service --ca-file --account --no-store --verbose --help --version"
    local memory_opts="--email --password-stdin --api-key-stdin"
    local commands="login logout whoami accounts token api-key git-credential list forward open help"

    # Values of options that take one.
    case $prev in
        --service)
            COMPREPLY=($(compgen -W "https://" -- "$cur"))
            compopt -o nospace
            return
            ;;
        --ca-file)
            _filedir '@(pem|crt|cer)'
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W "text json" -- "$cur"))
            return
            ;;
        --account | --default | --email | --label | --router | --allow-origin | --disallow-origin)
            return
            ;;
    esac

    # The command is the first word that is neither an option nor an option's value.
    local i command="" command_index=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --service | --ca-file | --account) ((i++)) ;;
            -*) ;;
            *)
                command=${words[i]}
                command_index=$i
                break
                ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    # Positional arguments after the command (options excluded).
    local args=() j
    for ((j = command_index + 1; j < cword; j++)); do
        [[ ${words[j]} == -* ]] || args+=("${words[j]}")
    done

    local opts="" positional=""
    case $command in
        login) opts="--email --password-stdin --api-key-stdin --keep-key --browser" ;;
        logout) opts="--all $memory_opts" ;;
        whoami | token) opts=$memory_opts ;;
        accounts) opts="--default $memory_opts" ;;
        api-key)
            opts="--label $memory_opts"
            ((${#args[@]} == 0)) && positional="create list revoke"
            ;;
        git-credential) ((${#args[@]} == 0)) && positional="get store erase" ;;
        list) opts="--format $memory_opts" ;;
        forward) opts="--all --router --allow-origin --disallow-origin $memory_opts" ;;
        open) opts=$memory_opts ;;
        help) return ;;
        *) return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $global_opts" -- "$cur"))
    elif [[ -n $positional ]]; then
        COMPREPLY=($(compgen -W "$positional" -- "$cur"))
    fi
} &&
    complete -F _heyo heyo

# ex: filetype=sh
