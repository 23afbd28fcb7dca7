"""A click group whose subcommands are imported only when used, so `lotscan parse` stays fast
and a command whose optional parts are missing cannot break the others."""

from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    def __init__(self, *args: object, lazy: dict[str, str] | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, attr = self.lazy[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and exc.name.startswith("lotscan"):
                    return _unavailable(name, f"{module_name} is not built yet")
                raise
            return getattr(module, attr)
        return super().get_command(ctx, name)


def _unavailable(name: str, why: str) -> click.Command:
    @click.command(name, help=f"(unavailable: {why})", context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args: tuple[str, ...]) -> None:
        raise click.UsageError(f"'{name}' is not available in this build: {why}.")

    return command
