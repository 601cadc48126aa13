"""StartQueryExecution's ExecutionParameters: positional `?` placeholders filled as Athena does.

Athena substitutes each parameter's text, as given, for the next `?` of the statement; a `?`
inside a string literal, a quoted identifier or a comment is not a placeholder.
"""

from __future__ import annotations

from collections.abc import Sequence


class ParameterCountError(ValueError):
    """The statement's placeholders and the given parameters differ in number."""


def _placeholder_positions(sql: str) -> list[int]:
    positions: list[int] = []
    index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char in ("'", '"'):
            # Skip the literal or identifier; a doubled quote is an escaped quote.
            index += 1
            while index < length:
                if sql[index] == char:
                    if index + 1 < length and sql[index + 1] == char:
                        index += 2
                        continue
                    break
                index += 1
        elif sql.startswith("--", index):
            newline = sql.find("\n", index)
            index = length if newline < 0 else newline
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            index = length if end < 0 else end + 1
        elif char == "?":
            positions.append(index)
        index += 1
    return positions


def substitute_parameters(sql: str, parameters: Sequence[str]) -> str:
    """`sql` with its `?` placeholders replaced by `parameters`, in order."""
    positions = _placeholder_positions(sql)
    if len(positions) != len(parameters):
        raise ParameterCountError(
            f"Incorrect number of parameters: expected {len(positions)} but found {len(parameters)}"
        )
    pieces: list[str] = []
    previous = 0
    for position, parameter in zip(positions, parameters, strict=True):
        pieces.append(sql[previous:position])
        pieces.append(parameter)
        previous = position + 1
    pieces.append(sql[previous:])
    return "".join(pieces)
