"""Shell completion scripts for bash, zsh and fish, generated from the command line's parser.

Pure: walks the argparse parser (cli/args.py's build_parser), so the completions always match the
commands and options that exist, and the values of options complete too: their choices, file
names (``FILE``), folders (``PATH``) and git revisions (``REV``, ``bot check``'s range). ``bot
completion bash`` prints the script; the README says where each shell wants it.
"""

from __future__ import annotations

import argparse
from typing import NamedTuple

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


# What an option's value (or a positional argument) completes to: the option's choices, or one of
# these kinds, from its metavar; None: a free value, completed to nothing.
FILES, FOLDERS, REVISIONS = "files", "folders", "revisions"
_KINDS = {"FILE": FILES, "PATH": FOLDERS, "REV": REVISIONS, "range": REVISIONS}
_REFS = "git for-each-ref --format='%(refname:short)' refs/heads refs/tags refs/remotes 2>/dev/null"


class Command(NamedTuple):
    """One command's completions: its subcommands, its options, and what the values of those
    that take one complete to (``values``; ``""``: positional arguments)."""

    subcommands: list[str]
    options: list[str]
    values: dict[str, tuple[str, ...] | str | None]


# {"": the top level, "plan": its command, "images": ..., "images plan": ...}
CommandTree = dict[str, Command]


def _commands(parser: argparse.ArgumentParser, path: str = "") -> CommandTree:
    options: list[str] = []
    values: dict[str, tuple[str, ...] | str | None] = {}
    subcommands: list[str] = []
    tree: CommandTree = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                subcommands.append(name)
                tree.update(_commands(sub, f"{path} {name}".strip()))
            continue
        flags = [f for f in action.option_strings if f.startswith("--") or len(f) == 2]
        options += flags
        if action.nargs == 0:
            continue  # a flag: no value
        value = _value(action)
        for flag in flags or [""]:
            values[flag] = value
    tree[path] = Command(subcommands, sorted(options), values)
    return tree


def _value(action: argparse.Action) -> tuple[str, ...] | str | None:
    if action.choices is not None:
        return tuple(str(choice) for choice in action.choices)
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest
    return _KINDS.get(metavar)


def _bash_reply(value: tuple[str, ...] | str | None, word: str) -> str:
    if isinstance(value, tuple):
        return f'COMPREPLY=($(compgen -W "{" ".join(value)}" -- "{word}"))'
    if value == FILES:
        return f'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "{word}"))'
    if value == FOLDERS:
        return f'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "{word}"))'
    if value == REVISIONS:
        return f'COMPREPLY=($(compgen -W "$({_REFS})" -- "{word}"))'
    return "COMPREPLY=()"


def _bash(tree: CommandTree) -> str:
    cases = []
    for path, command in sorted(tree.items()):
        words = " ".join([*command.subcommands, *command.options])
        cases.append(f'        "{path}") words="{words}" ;;')
    value_cases = [
        f'        "{path}|{flag}") {_bash_reply(value, "$cur")}; return ;;'
        for path, command in sorted(tree.items())
        for flag, value in sorted(command.values.items())
        if flag
    ]
    positional_cases = [
        f'        "{path}") {_bash_reply(command.values[""], "$cur")}; return ;;'
        for path, command in sorted(tree.items())
        if "" in command.values and not command.subcommands
    ]
    takes_value = sorted({f for c in tree.values() for f in c.values if f})
    return "\n".join(
        [
            "# bash completion for bot (versionbot): source it, or put it in",
            "# ~/.local/share/bash-completion/completions/bot",
            "_versionbot_complete() {",
            '    local path="" word i cur="${COMP_WORDS[COMP_CWORD]}"',
            '    local prev="${COMP_WORDS[COMP_CWORD-1]}"',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        word="${COMP_WORDS[i]}"',
            '        case " ' + " ".join(takes_value) + ' " in',
            '            *" $word "*) ((i++)); continue ;;  # and its value',
            "        esac",
            '        case "$word" in -*) continue ;; esac',
            '        case " $(_versionbot_subcommands "$path") " in',
            '            *" $word "*) path="${path:+$path }$word" ;;',
            "        esac",
            "    done",
            "    if ((COMP_CWORD > 1)); then",
            '        case "$path|$prev" in',
            *value_cases,
            "        esac",
            "    fi",
            '    if [[ "$cur" != -* ]]; then',
            '        case "$path" in',
            *positional_cases,
            "        esac",
            "    fi",
            '    local words=""',
            '    case "$path" in',
            *cases,
            "    esac",
            '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
            "}",
            "_versionbot_subcommands() {",
            '    case "$1" in',
            *(
                f'        "{path}") echo "{" ".join(command.subcommands)}" ;;'
                for path, command in sorted(tree.items())
                if command.subcommands
            ),
            "    esac",
            "}",
            "complete -F _versionbot_complete bot versionbot",
            "",
        ]
    )


def _fish_value(value: tuple[str, ...] | str | None) -> str:
    if isinstance(value, tuple):
        return f"-x -a '{' '.join(value)}'"
    if value == FILES:
        return "-r -F"
    if value == FOLDERS:
        return "-x -a '(__fish_complete_directories)'"
    if value == REVISIONS:
        return f'-x -a "({_REFS})"'
    return "-x"


def _fish(tree: CommandTree) -> str:
    lines = ["# fish completion for bot (versionbot): save as ~/.config/fish/completions/bot.fish"]
    for program in ("bot", "versionbot"):
        lines.append(f"complete -c {program} -f")
        for path, command in sorted(tree.items()):
            subcommands = command.subcommands
            words = path.split()
            if words:
                seen = " ".join(f"__fish_seen_subcommand_from {w};" for w in words)
                condition = f"{seen} and not __fish_seen_subcommand_from {' '.join(subcommands)}"
                condition = seen.rstrip(";") if not subcommands else condition
            else:
                condition = "__fish_use_subcommand"
            for name in subcommands:
                lines.append(f"complete -c {program} -n '{condition}' -a {name}")
            for option in command.options:
                flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
                value = (
                    f" {_fish_value(command.values[option])}" if option in command.values else ""
                )
                lines.append(f"complete -c {program} -n '{condition}' {flag}{value}")
            if "" in command.values and not subcommands:
                lines.append(
                    f"complete -c {program} -n '{condition}' {_fish_value(command.values[''])}"
                )
    return "\n".join(lines) + "\n"
