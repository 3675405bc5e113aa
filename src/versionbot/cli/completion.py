"""Shell completion scripts for bash, zsh and fish, generated from the command line's parser.

Pure: walks the argparse parser (cli/args.py's build_parser), so the completions always match the
commands and options that exist. ``bot completion bash`` prints the script; the README says where
each shell wants it.
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "fish")


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for ``shell`` (one of SHELLS)."""
    tree = _commands(parser)
    if shell == "bash":
        return _bash(tree)
    if shell == "zsh":
        return "#compdef bot versionbot\nautoload -U bashcompinit && bashcompinit\n" + _bash(tree)
    if shell == "fish":
        return _fish(tree)
    raise ValueError(shell)


# {"": top-level options, "plan": its options, "images": ..., "images plan": ...}
CommandTree = dict[str, tuple[list[str], list[str]]]  # path -> (subcommands, options)


def _commands(parser: argparse.ArgumentParser, path: str = "") -> CommandTree:
    options = sorted(
        flag
        for action in parser._actions
        for flag in action.option_strings
        if flag.startswith("--") or len(flag) == 2
    )
    subcommands: list[str] = []
    tree: CommandTree = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                subcommands.append(name)
                tree.update(_commands(sub, f"{path} {name}".strip()))
    tree[path] = (subcommands, options)
    return tree


def _bash(tree: CommandTree) -> str:
    cases = []
    for path, (subcommands, options) in sorted(tree.items()):
        words = " ".join([*subcommands, *options])
        cases.append(f'        "{path}") words="{words}" ;;')
    return "\n".join(
        [
            "# bash completion for bot (versionbot): source it, or put it in",
            "# ~/.local/share/bash-completion/completions/bot",
            "_versionbot_complete() {",
            '    local path="" word i',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        word="${COMP_WORDS[i]}"',
            '        case "$word" in -*) continue ;; esac',
            '        case " $(_versionbot_subcommands "$path") " in',
            '            *" $word "*) path="${path:+$path }$word" ;;',
            "        esac",
            "    done",
            '    local words=""',
            '    case "$path" in',
            *cases,
            "    esac",
            '    COMPREPLY=($(compgen -W "$words" -- "${COMP_WORDS[COMP_CWORD]}"))',
            "}",
            "_versionbot_subcommands() {",
            '    case "$1" in',
            *(
                f'        "{path}") echo "{" ".join(subcommands)}" ;;'
                for path, (subcommands, _) in sorted(tree.items())
                if subcommands
            ),
            "    esac",
            "}",
            "complete -F _versionbot_complete bot versionbot",
            "",
        ]
    )


def _fish(tree: CommandTree) -> str:
    lines = ["# fish completion for bot (versionbot): save as ~/.config/fish/completions/bot.fish"]
    for program in ("bot", "versionbot"):
        lines.append(f"complete -c {program} -f")
        for path, (subcommands, options) in sorted(tree.items()):
            words = path.split()
            if words:
                seen = " ".join(f"__fish_seen_subcommand_from {w};" for w in words)
                condition = f"{seen} and not __fish_seen_subcommand_from {' '.join(subcommands)}"
                condition = seen.rstrip(";") if not subcommands else condition
            else:
                condition = "__fish_use_subcommand"
            for name in subcommands:
                lines.append(f"complete -c {program} -n '{condition}' -a {name}")
            for option in options:
                flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
                lines.append(f"complete -c {program} -n '{condition}' {flag}")
    return "\n".join(lines) + "\n"
