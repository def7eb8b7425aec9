"""The affected-asset file: one CSV row per finding and asset, every asset of every finding.

The JSON of a large inventory lists the first ids of each finding and their count
(``engine.evaluation.COMPACT_ABOVE_ASSETS``); the whole lists are here, in a file a spreadsheet, a
database loader or ``grep`` reads row by row. It is written row by row beside its destination
and put in place with the run's other outputs (``engine.atomic``), so a failed run leaves none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dutybound.engine.atomic import StagedFile, UnwritableOutput, stage
from dutybound.engine.cells import spreadsheet_writer

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation

HEADER = (
    "finding_id",
    "jurisdiction",
    "obligation_id",
    "status",
    "position",
    "due",
    "asset_id",
)


def stage_affected_assets(evaluation: Evaluation, path: Path) -> StagedFile:
    """Write the file beside ``path`` (``StagedFile.publish`` puts it in place): the findings
    in the evaluation's order, each finding's assets in its order (by id). What-if findings
    (``--assume-designation``) are written too, as the JSON lists them."""
    staged = stage(path, b"")
    try:
        with open(staged.temporary, "w", encoding="utf-8", newline="") as handle:
            # asset ids come from the inventory: a cell such as "=HYPERLINK(...)" is neutralised
            writer = spreadsheet_writer(handle)
            writer.writerow(HEADER)
            for f in evaluation.findings:
                head = (
                    f.id,
                    f.item.jurisdiction,
                    f.item.obligation.id,
                    f.status.value,
                    f.position.value,
                    f.due.isoformat() if f.due else "",
                )
                writer.writerows((*head, asset_id) for asset_id in f.assets)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        staged.discard()
        raise UnwritableOutput(path, f"cannot write here: {error.strerror or error}") from None
    except BaseException:
        staged.discard()
        raise
    return staged
