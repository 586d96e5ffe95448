"""One source of truth for training settings: the click options of `inpaint train` agree with
the config dataclasses (defaults, types, choices), and every setting has its option."""

import click

from cli.train_cmd import _ACTIONS, NOT_OPTIONS, UNSET_BY_DEFAULT, train
from inpaint.train.config import CHOICES, SETTINGS, setting_default, setting_type


def _options():
    return {p.name: p for p in train.params if isinstance(p, click.Option)}


def test_every_setting_has_an_option_with_the_dataclass_default():
    options = _options()
    for name in SETTINGS:
        if name in NOT_OPTIONS:
            continue
        assert name in options, f"setting {name!r} has no --{name.replace('_', '-')} option"
        opt = options[name]
        assert "--" + name.replace("_", "-") in opt.opts, opt.opts
        wanted = None if name in UNSET_BY_DEFAULT else setting_default(name)
        assert opt.default == wanted, (name, opt.default, wanted)
        typ, _ = setting_type(name)
        if name in CHOICES:
            assert tuple(opt.type.choices) == tuple(CHOICES[name]), name
        elif typ is bool:
            assert opt.is_flag and opt.secondary_opts == ["--no-" + name.replace("_", "-")], name


def test_every_option_is_a_setting_or_an_action():
    for name in _options():
        if name in ("help",):
            continue
        assert name in SETTINGS or name in _ACTIONS, f"option {name!r} maps to no setting"
    assert not set(NOT_OPTIONS) - set(SETTINGS)
