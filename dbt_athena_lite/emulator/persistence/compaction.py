"""Compaction: drop journaled requests whose effect a later request undid.

A dbt run writes and deletes a lot (temporary tables, rebuilt data files, uploads), so the
journal grows much faster than the state it describes. Walking it backwards, a request is
dropped when what it touched is later replaced or deleted ("superseded"):
- an object's value is superseded by a later Put/Copy/CompleteMultipartUpload/Delete of the
  key; a bucket, database, table or workgroup by its deletion, which takes everything inside
  it along;
- a multipart upload's parts go with its CompleteMultipartUpload, and all of an aborted one;
- nothing before a moto reset matters.
A delete whose every target's earlier history was dropped is dropped too, unless a request
compaction does not understand (OTHER) might have created the target.
Buckets that are versioned, or that a copy reads from, keep their whole history: a version
or a copy source is still needed after its key was overwritten. Replaying the compacted
journal builds the same state as replaying the whole one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dbt_athena_lite.emulator.persistence.effects import Effect, Entity, Kind, describe, parent
from dbt_athena_lite.emulator.persistence.journal import JournalRecord


def compact(
    records: Sequence[JournalRecord], body_of: Callable[[JournalRecord], bytes]
) -> list[JournalRecord]:
    effects = [describe(record, body_of) for record in records]
    keep = _superseded_dropped(effects, _frozen_buckets(effects))
    return [record for record, kept in zip(records, keep, strict=True) if kept]


def _frozen_buckets(effects: Sequence[Effect]) -> set[str]:
    frozen = {e.targets[0][1] for e in effects if e.versioning and e.targets}
    frozen.update(e.copy_source[1] for e in effects if e.copy_source)
    return frozen


def _in_frozen_bucket(effect: Effect, frozen: set[str]) -> bool:
    return any(target[0] in ("bucket", "object") and target[1] in frozen for target in effect.targets)


def _superseded_dropped(effects: Sequence[Effect], frozen: set[str]) -> list[bool]:
    keep = [True] * len(effects)
    superseded: set[Entity] = set()
    upload_kept: dict[str, bool] = {}  # an upload's fate, decided by its Complete or Abort

    def gone(target: Entity) -> bool:
        return target in superseded or parent(target) in superseded

    for index in range(len(effects) - 1, -1, -1):
        effect = effects[index]
        if effect.kind is Kind.RESET:
            keep[: index + 1] = [False] * (index + 1)  # the reset too: replay starts empty
            break
        if effect.kind is Kind.OTHER or _in_frozen_bucket(effect, frozen):
            continue
        targets = effect.targets
        if effect.kind is Kind.ABORT:
            keep[index] = False
            if effect.upload_id:
                upload_kept[effect.upload_id] = False
        elif effect.kind is Kind.UPLOAD_PART:
            # An upload still in progress is kept (its Complete may come after a restart).
            pending = not any(parent(t) in superseded for t in targets)
            keep[index] = upload_kept.get(effect.upload_id or "", pending)
        else:
            keep[index] = not all(gone(t) for t in targets)
            if effect.kind in (Kind.REPLACE, Kind.DELETE):
                superseded.update(targets)
            if effect.kind is Kind.REPLACE and effect.upload_id:
                upload_kept[effect.upload_id] = keep[index]
    _drop_needless_deletes(effects, keep, frozen)
    return keep


def _drop_needless_deletes(effects: Sequence[Effect], keep: list[bool], frozen: set[str]) -> None:
    """A kept delete whose targets' earlier records were all dropped deletes nothing, unless
    an earlier request we do not understand might have created one of them."""
    touched: set[Entity] = set()  # entities, and containers of entities, that kept records touch
    unknown_services: set[str] = set()
    for index, effect in enumerate(effects):
        if not keep[index]:
            continue
        if effect.kind is Kind.OTHER:
            unknown_services.add(effect.service)
        elif effect.kind is Kind.DELETE and not _in_frozen_bucket(effect, frozen):
            keep[index] = effect.service in unknown_services or any(t in touched for t in effect.targets)
        for target in effect.targets:
            touched.add(target)
            container = parent(target)
            if container is not None:
                touched.add(container)
