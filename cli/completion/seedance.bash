# bash completion for seedance. Installed as share/bash-completion/completions/seedance; to try it
# from a source tree: source cli/completion/seedance.bash
_seedance() {
  local cur prev command word i
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  local commands="generate submit status wait download batch mock-server"
  local global="--base-url --api-key --config --ca-bundle --proxy --alias-routes --json --quiet
    --verbose --version --help"
  local request="--model --prompt --prompt-file --image --images --first-frame --last-frame
    --reference-image --video --audio --duration --resolution --ratio --seed --watermark
    --generate-audio --service-tier --expires-after --return-last-frame --callback-url --frames
    --camera-fixed --draft"
  local waiting="--poll-interval --timeout"
  local output="-o --output --overwrite --stall-timeout"

  command=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    case " $commands " in
      *" $word "*) command="$word"; break ;;
    esac
  done

  case "$prev" in
    --model) COMPREPLY=($(compgen -W "seedance-2.0 seedance-2.0-fast" -- "$cur")); return ;;
    --resolution) COMPREPLY=($(compgen -W "480p 720p 1080p" -- "$cur")); return ;;
    --ratio) COMPREPLY=($(compgen -W "16:9 4:3 1:1 3:4 9:16 21:9 adaptive" -- "$cur")); return ;;
    --service-tier) COMPREPLY=($(compgen -W "auto default priority" -- "$cur")); return ;;
    --dialect) COMPREPLY=($(compgen -W "reference gateway" -- "$cur")); return ;;
    --duration) COMPREPLY=($(compgen -W "auto 4 5 6 8 10 12 15" -- "$cur")); return ;;
    -o | --output | --config | --ca-bundle | --journal | --prompt-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --out-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac

  local flags
  case "$command" in
    "") flags="$global"
      if [[ "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
      fi ;;
    generate) flags="$request $waiting $output --dry-run $global" ;;
    submit) flags="$request --dry-run $global" ;;
    status) flags="$global" ;;
    wait) flags="$waiting $global" ;;
    download) flags="$output --no-resume --wait --timeout $global" ;;
    batch) flags="--out-dir --concurrency --rate --journal --resubmit-unknown $waiting $global"
      if [[ "$cur" != -* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return
      fi ;;
    mock-server) flags="--host --port --api-key --polls --video-size --fault --threads
      --keep-alive-timeout --log-requests --dialect --help" ;;
  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -o default -F _seedance seedance
