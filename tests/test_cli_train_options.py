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


def test_generator_knobs_come_from_each_generators_params():
    """Each knob's option is derived from the params dataclasses of the generators that have it:
    its type and choices, its default (theirs), and its help names those generators."""
    from dataclasses import fields

    from inpaint.models.generators import GENERATORS, knob_owners
    from inpaint.train.config import GENERATOR_KNOBS

    options = _options()
    for spec in GENERATORS.values():
        for f in fields(spec.params):
            assert f.name in GENERATOR_KNOBS and f.name in options, f.name
    for name in GENERATOR_KNOBS:
        owners = knob_owners(name)
        opt = options[name]
        assert " and ".join(owners) in opt.help, (name, opt.help)
        defaults = {repr(getattr(GENERATORS[k].params(), name)) for k in owners}
        if len(defaults) == 1:
            assert repr(opt.default) == defaults.pop(), name
        for kind in owners:
            if name in GENERATORS[kind].params.CHOICES:
                assert tuple(opt.type.choices) == GENERATORS[kind].params.CHOICES[name], name
