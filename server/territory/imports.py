"""Territory met in an imported file: what may be created, what may be renamed, and a record of both.

A county is the unit an administrator sets up on purpose (`farmpatrol territory add-county`): an import
creates one only when asked (`create_territory`), so a mistyped code in a file cannot invent a county.
Townships and villages of an existing county are created as the file names them, and reported. An existing
village keeps its name unless renaming is asked for: a survey file's 坐落单位名称 is often older than the
name the county uses now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.territory import service
from server.territory.models import Village


@dataclass
class TerritoryChanges:
    created: list[dict] = field(default_factory=list)  # {"level", "code", "name"}
    renamed: list[dict] = field(default_factory=list)  # {"code", "from", "to"}
    names_kept: list[dict] = field(default_factory=list)  # {"code", "name", "file_name"}: differs, not renamed

    def to_dict(self) -> dict:
        return {"created": self.created, "renamed": self.renamed, "names_kept": self.names_kept}


class UnknownCounty(service.TerritoryError):
    def __init__(self, code: str):
        super().__init__(f"县 {code} 不存在: 先运行 farmpatrol territory add-county {code} 县名, "
                         f"或在导入时加 --create-territory")
        self.code = code


class TerritoryForImport:
    """Resolves the village codes of one import, recording what it creates and renames."""

    def __init__(self, *, create_territory: bool = False, rename_villages: bool = False):
        self.create_territory = create_territory
        self.rename_villages = rename_villages
        self.changes = TerritoryChanges()
        self._villages: dict[str, Village] = {}
        self._counties: dict[str, bool] = {}  # code -> exists (or was created); a refusal is asked once

    def require_county(self, code: str) -> None:
        """The county must exist, or be created when that was asked for."""
        if code not in self._counties:
            exists = service.get_county(code) is not None
            if not exists and self.create_territory:
                self._create("county", service.ensure_county, code)
            self._counties[code] = exists or self.create_territory
        if not self._counties[code]:
            raise UnknownCounty(code)

    def village(self, code: str, name: str | None) -> Village:
        """The village of a 12-digit code; raises UnknownCounty when its county may not be created."""
        if code not in self._villages:
            self._villages[code] = self._resolve(code, name)
        return self._villages[code]

    def _resolve(self, code: str, name: str | None) -> Village:
        village = service.get_village(code)
        if village is None:
            self.require_county(code[:6])
            if service.get_township(code[:9]) is None:
                self._create("township", service.ensure_township, code[:9])
            return self._create("village", service.ensure_village, code, name)
        if name and village.name != name:
            if self.rename_villages:
                self.changes.renamed.append({"code": code, "from": village.name, "to": name})
                village.name = name
            else:
                self.changes.names_kept.append({"code": code, "name": village.name, "file_name": name})
        return village

    def _create(self, level: str, ensure, code: str, name: str | None = None):
        unit = ensure(code, name)
        self.changes.created.append({"level": level, "code": code, "name": unit.name})
        return unit
