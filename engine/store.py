"""Storing evaluations with sqlmodel (SQLite by default; any SQLAlchemy URL works).

An evaluation is stored with the profile and the assets it was run on and every finding, so that
it can be listed, compared and audited later without the original files. Everything for one
evaluation is written in one transaction: either all of it lands or none of it.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlmodel import Field, Session, SQLModel, create_engine, select

from engine.evaluation import Evaluation


class ProfileRecord(SQLModel, table=True):
    __tablename__ = "profile"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    body: str  # the validated profile as JSON


class EvaluationRecord(SQLModel, table=True):
    __tablename__ = "evaluation"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", index=True)
    as_of: dt.date = Field(index=True)
    rulepack_version: str
    rulepack_sha256: str
    inputs_sha256: str
    evaluator: str
    findings_count: int
    result: str  # the evaluation JSON, byte for byte as the CLI prints it
    stored_at: dt.datetime


class AssetRecord(SQLModel, table=True):
    __tablename__ = "asset"
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    asset_id: str
    vendor: str
    vendor_group: str | None
    category: str
    function: str
    network: str
    country: str
    use: str
    status: str
    quantity: int


class FindingRecord(SQLModel, table=True):
    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    finding_id: str
    obligation_id: str = Field(index=True)
    jurisdiction: str
    kind: str
    status: str
    due: dt.date | None
    verified: bool
    assets: str  # JSON list of asset ids


def save_evaluation(url: str, evaluation: Evaluation, result_json: str) -> int:
    """Store one evaluation in a single transaction; returns its id."""
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        profile = ProfileRecord(name=evaluation.profile.name,
                                body=evaluation.profile.model_dump_json())
        session.add(profile)
        session.flush()
        assert profile.id is not None
        record = EvaluationRecord(
            profile_id=profile.id, as_of=evaluation.as_of,
            rulepack_version=evaluation.pack.version, rulepack_sha256=evaluation.pack.sha256,
            inputs_sha256=evaluation.inputs_sha256, evaluator=evaluation.evaluator,
            findings_count=len(evaluation.findings), result=result_json,
            stored_at=dt.datetime.now(dt.UTC),
        )
        session.add(record)
        session.flush()
        assert record.id is not None
        for asset in evaluation.assets:
            session.add(AssetRecord(
                evaluation_id=record.id, asset_id=asset.asset_id, vendor=asset.vendor,
                vendor_group=evaluation.vendor_matches[asset.vendor].group,
                category=asset.category, function=asset.function, network=asset.network,
                country=asset.country, use=asset.use, status=asset.status,
                quantity=asset.quantity))
        for finding in evaluation.findings:
            data = finding.to_json()
            session.add(FindingRecord(
                evaluation_id=record.id, finding_id=finding.id, obligation_id=data["obligation_id"],
                jurisdiction=data["jurisdiction"], kind=data["kind"], status=finding.status,
                due=finding.due, verified=data["verified"], assets=json.dumps(finding.assets)))
        evaluation_id = record.id
    engine.dispose()
    return evaluation_id


def list_evaluations(url: str) -> list[EvaluationRecord]:
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        rows = list(session.exec(select(EvaluationRecord).order_by(EvaluationRecord.id)))
    engine.dispose()
    return rows
