import json

import click
from flask.cli import AppGroup
from tqdm import tqdm

from server.parcels import service
from server.parcels.crs import ParcelSourceError
from server.parcels.reader import parse_field_map

parcels_cli = AppGroup("parcels", help="The parcel (图斑) registry.")


@parcels_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--county", "county_code", help="Only accept parcels of this 6-digit county code.")
@click.option("--crs", help="CRS of a file without one, e.g. EPSG:4528 (the file's own CRS wins otherwise).")
@click.option("--field", "fields", multiple=True, metavar="OURS=THEIRS",
              help="Attribute mapping, e.g. --field code=BH (defaults: 三调 TBBH, DLBM, ZLDWDM, ZLDWMC, TBMJ).")
@click.option("--layer", help="Layer name in a GeoPackage or FileGDB.")
@click.option("--encoding", help="Attribute encoding of an old Shapefile without .cpg, e.g. GBK.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_parcels(path, county_code, crs, fields, layer, encoding, as_json):
    """Import parcels from GeoJSON, (zipped) Shapefile, GeoPackage or FileGDB; upsert by parcel code."""
    try:
        field_map = parse_field_map(fields)
        with tqdm(unit="图斑", desc="导入", disable=None) as bar:
            summary = service.import_parcel_file(path, county_code=county_code, crs=crs, field_map=field_map,
                                                 layer=layer, encoding=encoding, progress=bar.update)
    except ParcelSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    for note in summary.notes:
        click.echo(f"note      {note}")
    for feature in summary.repaired:
        click.echo(f"repaired  feature #{feature.index} ({feature.code}): {feature.repair_note}")
    for rejected in summary.rejected:
        click.echo(f"rejected  feature #{rejected.index} ({rejected.code}): {rejected.reason}")
    click.echo(f"created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
               f"rejected {len(summary.rejected)} (repaired {len(summary.repaired)})")
