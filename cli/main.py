"""Entry point of the `inpaint` console script.

Sub-commands are imported lazily so `inpaint --help`, `--version` and `inpaint masks ...`
never import torch. To add a command: write ``cli/<name>_cmd.py`` with a click command and
add one line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib

import click

from inpaint import __version__

# name -> ("module:attribute", short help shown by `inpaint --help` without importing it)
COMMANDS = {
    "masks": ("cli.masks_cmd:masks", "Generate and inspect mask datasets."),
    "train": ("cli.train_cmd:train", "Train a model: inpainting, colorize or paired translation."),
    "fill": ("cli.fill_cmd:fill", "Fill the holes of photos (one photo or whole folders)."),
    "colorize": ("cli.colorize_cmd:colorize", "Colourise photos, keeping their own luminance (any size)."),
    "translate": ("cli.colorize_cmd:translate", "Translate photos with a paired (A → B) model."),
    "eval": ("cli.eval_cmd:evaluate", "Score models against classical fills; write a report."),
    "serve": ("cli.serve_cmd:serve", "A local web page to fill photos with a brush, and its HTTP API."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inpaint")
def main():
    """inpaint — fill missing regions of photos with a learned context encoder.

    Run `inpaint COMMAND --help` for the options of each command.
    """


if __name__ == "__main__":
    main()
