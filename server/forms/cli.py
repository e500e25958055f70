import click
from flask.cli import AppGroup

from inspection_forms import FormDefinitionError, FormVersionImmutableError, builtin_definitions, load_definition_file
from server.clitext import CliError
from server.forms import service

forms_cli = AppGroup("forms", help="巡查表单版本。")


@forms_cli.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--builtin", is_flag=True, help="发布 farmpatrol 自带的全部表单。")
def publish_command(path, builtin):
    """发布表单定义(YAML), 设备下次同步时取得; 已发布的版本不可更改。"""
    if bool(path) == builtin:
        raise click.UsageError("PATH 与 --builtin 二选一")
    try:
        definitions = builtin_definitions() if builtin else [load_definition_file(path)]
        for definition in definitions:
            result = service.publish(definition)
            state = "已发布" if result.created else "此前已发布(未变)"
            click.echo(f"{result.form_id} v{result.version}: {state}")
    except FormDefinitionError as exc:
        raise CliError("invalid_form", str(exc)) from exc
    except FormVersionImmutableError as exc:
        raise CliError("form_version_immutable", str(exc)) from exc
