import click
from flask.cli import AppGroup

from inspection_forms import FormDefinitionError, FormVersionImmutableError, builtin_definitions, load_definition_file
from server.forms import service

forms_cli = AppGroup("forms", help="Inspection form versions.")


@forms_cli.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--builtin", is_flag=True, help="Publish every form shipped with farmpatrol.")
def publish_command(path, builtin):
    """Publish a form definition (YAML) so devices receive it on their next sync."""
    if bool(path) == builtin:
        raise click.UsageError("give a PATH or --builtin (one of them)")
    try:
        definitions = builtin_definitions() if builtin else [load_definition_file(path)]
        for definition in definitions:
            result = service.publish(definition)
            state = "published" if result.created else "already published (unchanged)"
            click.echo(f"{result.form_id} v{result.version}: {state}")
    except (FormDefinitionError, FormVersionImmutableError) as exc:
        raise click.ClickException(str(exc)) from exc
