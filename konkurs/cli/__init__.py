"""The `konkurs` command line."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from domain.errors import KonkursError
from konkurs.cli import (
    announcement_commands,
    api_command,
    audit_at_command,
    audit_commands,
    audit_report_command,
    contest_commands,
    demo_command,
    event_commands,
    export_commands,
    forget_command,
    intake_commands,
    judging_commands,
    mailer_commands,
    participation_commands,
    protocol_command,
    publish_command,
    registry_commands,
    replay_commands,
    service_commands,
    submission_commands,
    token_commands,
    view_commands,
    vote_commands,
    webhook_commands,
)
from konkurs.cli.output import fail
from konkurs.cli.spec_commands import spec_app
from konkurs.logging import configure_logging

app = typer.Typer(
    name="konkurs",
    help=(
        "Konkurs runs public best-practice contests: announce a spec, take submissions, "
        "reviews and ballots, and publish results that auditors can recompute.\n\n"
        "Start with `konkurs spec check examples/*.yaml`, then `konkurs server` and "
        "`konkurs worker` in two terminals, then `konkurs announce`."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(spec_app, name="spec")
contest_commands.register(app)
announcement_commands.register(app)
intake_commands.register(app)
submission_commands.register(app)
registry_commands.register(app)
judging_commands.register(app)
view_commands.register(app)
participation_commands.register(app)
publish_command.register(app)
vote_commands.register(app)
service_commands.register(app)
api_command.register(app)
demo_command.register(app)
event_commands.register(app)
forget_command.register(app)
webhook_commands.register(app)
protocol_command.register(app)
mailer_commands.register(app)
export_commands.register(app)
token_commands.register(app)
audit_commands.register(app)
replay_commands.register(audit_commands.audit_app)
audit_at_command.register(audit_commands.audit_app)
audit_report_command.register(audit_commands.audit_app)


def main() -> None:
    """Run the CLI and end the process with os._exit once output is flushed (sdk-python#300)."""
    configure_logging()
    code = run(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            code = code or SIGPIPE_EXIT
    os._exit(code)


# What a shell reports for a program whose reader went away (`konkurs status … | head`).
SIGPIPE_EXIT = 141


def run(argv: list[str]) -> int:
    try:
        result = app(args=argv, prog_name="konkurs", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as usage:
        show = getattr(usage, "show", None)
        if show:
            show()
        else:
            fail(usage.format_message())
        return usage.exit_code
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted")
        return 130
    except KonkursError as error:
        fail(str(error))
        return 1
    except BrokenPipeError:
        return SIGPIPE_EXIT
    except SystemExit as done:  # rich exits this way when the reader of stdout goes away
        return done.code if isinstance(done.code, int) else 1
    except Exception as error:
        if os.environ.get("KONKURS_DEBUG"):
            traceback.print_exc()
        detail = " ".join(str(error).split())
        fail(f"unexpected {type(error).__name__}: {detail} (set KONKURS_DEBUG=1 for the traceback)")
        return 1
    return result if isinstance(result, int) else 0
