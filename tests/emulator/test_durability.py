"""Durable state (`--data-dir`): what returned success survives `kill -9` and a restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from dbt_athena_lite.emulator.cli import main
from dbt_athena_lite.emulator.persistence import DataDirInUseError
from dbt_athena_lite.emulator.server import EmulatorServer
from tests.emulator_process import emulator_process

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]

PART_SIZE = 5 * 1024 * 1024  # S3's smallest part but the last
REGION = "us-east-1"


def _clients(endpoint: str) -> dict[str, Any]:
    session = boto3.session.Session(
        aws_access_key_id="AKIADURABLE", aws_secret_access_key="secret", region_name=REGION
    )
    config = Config(retries={"total_max_attempts": 1})
    return {
        "s3": session.client("s3", endpoint_url=endpoint, config=config),
        "glue": session.client("glue", endpoint_url=endpoint, config=config),
        "athena": session.client("athena", endpoint_url=endpoint, config=config),
    }


def _run(athena: Any, sql: str, output: str, database: str | None = None) -> list[tuple[str | None, ...]]:
    request: dict[str, Any] = {"QueryString": sql, "ResultConfiguration": {"OutputLocation": output}}
    if database:
        request["QueryExecutionContext"] = {"Database": database}
    query_id = athena.start_query_execution(**request)["QueryExecutionId"]
    deadline = time.monotonic() + 120  # the first query waits for the engine's warm-up
    while (status := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"])[
        "State"
    ] in ("QUEUED", "RUNNING") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert status["State"] == "SUCCEEDED", status
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    return [tuple(datum.get("VarCharValue") for datum in row["Data"]) for row in rows]


def _objects(s3: Any, bucket: str) -> dict[str, tuple[str, Any]]:
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: (item["ETag"], item["LastModified"]) for item in listing}


def test_everything_acknowledged_survives_kill_9_and_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    bucket = f"durable-{uuid.uuid4().hex[:8]}"
    output = f"s3://{bucket}/results/"
    with emulator_process(data_dir) as (process, endpoint):
        clients = _clients(endpoint)
        s3, glue, athena = clients["s3"], clients["glue"], clients["athena"]
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="raw/a b+c.txt", Body=b"small", Metadata={"origin": "test"})
        s3.put_object(Bucket=bucket, Key="raw/large.bin", Body=os.urandom(200_000))
        upload = s3.create_multipart_upload(Bucket=bucket, Key="raw/multipart.bin")
        parts = []
        for number, body in ((1, b"1" * PART_SIZE), (2, b"2" * 10)):
            etag = s3.upload_part(
                Bucket=bucket,
                Key="raw/multipart.bin",
                UploadId=upload["UploadId"],
                PartNumber=number,
                Body=body,
            )["ETag"]
            parts.append({"ETag": etag, "PartNumber": number})
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="raw/multipart.bin",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": parts},
        )
        _run(athena, "CREATE DATABASE durable", output)
        _run(
            athena,
            f"CREATE TABLE sales WITH (partitioned_by=ARRAY['day'], external_location='s3://{bucket}/sales/') "
            "AS SELECT * FROM (VALUES (1, 'a', DATE '2024-01-01'), (2, 'b', DATE '2024-01-02'), "
            "(3, 'c', DATE '2024-01-02')) AS v(id, label, day)",
            output,
            "durable",
        )
        _run(athena, "CREATE VIEW big_sales AS SELECT id, label FROM sales WHERE id > 1", output, "durable")
        athena.create_work_group(
            Name="durable-wg", Configuration={"ResultConfiguration": {"OutputLocation": output}}
        )
        select = "SELECT id, label, day FROM sales ORDER BY id"
        rows_before = _run(athena, select, output, "durable")
        view_rows_before = _run(athena, "SELECT * FROM big_sales ORDER BY id", output, "durable")
        objects_before = _objects(s3, bucket)
        table_before = glue.get_table(DatabaseName="durable", Name="sales")["Table"]
        partitions_before = glue.get_partitions(DatabaseName="durable", TableName="sales")["Partitions"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with emulator_process(data_dir) as (_process, endpoint):
        clients = _clients(endpoint)
        s3, glue, athena = clients["s3"], clients["glue"], clients["athena"]
        assert _objects(s3, bucket) == objects_before
        head = s3.head_object(Bucket=bucket, Key="raw/a b+c.txt")
        assert head["Metadata"] == {"origin": "test"}
        assert (
            s3.get_object(Bucket=bucket, Key="raw/multipart.bin")["Body"].read()
            == b"1" * PART_SIZE + b"2" * 10
        )
        table = glue.get_table(DatabaseName="durable", Name="sales")["Table"]
        assert table["StorageDescriptor"] == table_before["StorageDescriptor"]
        assert table["CreateTime"] == table_before["CreateTime"]  # dated as first created, not replayed
        partitions = glue.get_partitions(DatabaseName="durable", TableName="sales")["Partitions"]
        assert sorted(p["Values"] for p in partitions) == sorted(p["Values"] for p in partitions_before)
        work_group = athena.get_work_group(WorkGroup="durable-wg")["WorkGroup"]
        assert work_group["Configuration"]["ResultConfiguration"]["OutputLocation"] == output
        assert _run(athena, select, output, "durable") == rows_before
        assert _run(athena, "SELECT * FROM big_sales ORDER BY id", output, "durable") == view_rows_before


def test_a_second_emulator_on_the_same_data_dir_refuses(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    with emulator_process(data_dir) as (process, _endpoint):
        second = subprocess.run(
            [sys.executable, "-m", "dbt_athena_lite.emulator", "--port", "0", "--data-dir", str(data_dir)],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert str(data_dir) in second.stderr
        assert f"pid {process.pid}" in second.stderr
        # In-process too, with the same message.
        with pytest.raises(DataDirInUseError, match=f"pid {process.pid}"):
            EmulatorServer(data_dir=data_dir)


def test_without_a_data_dir_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with EmulatorServer() as server:
        assert server.app.durable is None
        _clients(server.endpoint_url)["s3"].create_bucket(Bucket="in-memory-only")
    assert list(tmp_path.iterdir()) == []


def _state(endpoint: str) -> dict[str, Any]:
    """Everything a client can read back: objects (with bodies), Glue, workgroups."""
    clients = _clients(endpoint)
    s3, glue, athena = clients["s3"], clients["glue"], clients["athena"]
    objects = {}
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            objects[(bucket, item["Key"])] = (item["ETag"], item["LastModified"], body)
    tables = {}
    for database in glue.get_databases()["DatabaseList"]:
        for table in glue.get_tables(DatabaseName=database["Name"])["TableList"]:
            key = (database["Name"], table["Name"])
            versions = glue.get_table_versions(DatabaseName=key[0], TableName=key[1])["TableVersions"]
            partitions = glue.get_partitions(DatabaseName=key[0], TableName=key[1])["Partitions"]
            tables[key] = (table, len(versions), sorted(str(p["Values"]) for p in partitions))
    work_groups = sorted(w["Name"] for w in athena.list_work_groups()["WorkGroups"])
    return {"objects": objects, "tables": tables, "work_groups": work_groups}


def _churn(endpoint: str) -> None:
    """What dbt runs do to state: overwrite, delete, temporary tables, uploads, copies."""
    clients = _clients(endpoint)
    s3, glue, athena = clients["s3"], clients["glue"], clients["athena"]
    s3.create_bucket(Bucket="churn")
    for round_ in range(5):
        for key in ("a.csv", "b.csv", "c.csv"):
            s3.put_object(Bucket="churn", Key=f"data/{key}", Body=f"{key},{round_}".encode())
        s3.delete_objects(Bucket="churn", Delete={"Objects": [{"Key": "data/c.csv"}]})
        s3.put_object(Bucket="churn", Key=f"tmp/{round_}.bin", Body=b"t" * 70_000)  # a blob
        s3.delete_object(Bucket="churn", Key=f"tmp/{round_}.bin")
    aborted = s3.create_multipart_upload(Bucket="churn", Key="aborted.bin")["UploadId"]
    s3.upload_part(Bucket="churn", Key="aborted.bin", UploadId=aborted, PartNumber=1, Body=b"x")
    s3.abort_multipart_upload(Bucket="churn", Key="aborted.bin", UploadId=aborted)
    s3.create_multipart_upload(Bucket="churn", Key="pending.bin")  # still open at the restart
    s3.create_bucket(Bucket="churn-gone")
    s3.put_object(Bucket="churn-gone", Key="x", Body=b"x")
    s3.delete_object(Bucket="churn-gone", Key="x")
    s3.delete_bucket(Bucket="churn-gone")
    s3.create_bucket(Bucket="churn-copies")
    s3.put_object(Bucket="churn-copies", Key="source", Body=b"first")
    s3.copy_object(Bucket="churn-copies", Key="copy", CopySource={"Bucket": "churn-copies", "Key": "source"})
    s3.put_object(Bucket="churn-copies", Key="source", Body=b"second")
    glue.create_database(DatabaseInput={"Name": "churn"})
    columns = {"Columns": [{"Name": "id", "Type": "int"}], "Location": "s3://churn/data/"}
    for round_ in range(3):
        glue.create_table(DatabaseName="churn", TableInput={"Name": "t__tmp", "StorageDescriptor": columns})
        glue.delete_table(DatabaseName="churn", Name="t__tmp")
        if round_ == 0:
            glue.create_table(
                DatabaseName="churn",
                TableInput={
                    "Name": "t",
                    "StorageDescriptor": columns,
                    "PartitionKeys": [{"Name": "p", "Type": "string"}],
                },
            )
        glue.update_table(DatabaseName="churn", TableInput={"Name": "t", "StorageDescriptor": columns})
        glue.create_partition(
            DatabaseName="churn",
            TableName="t",
            PartitionInput={"Values": [str(round_)], "StorageDescriptor": columns},
        )
    glue.create_database(DatabaseInput={"Name": "churn_gone"})
    glue.create_table(DatabaseName="churn_gone", TableInput={"Name": "x", "StorageDescriptor": columns})
    glue.delete_database(Name="churn_gone")
    athena.create_work_group(Name="churn-gone")
    athena.delete_work_group(WorkGroup="churn-gone")
    athena.create_work_group(Name="churn-kept")


def _restored(process: subprocess.Popen[str]) -> tuple[int, int]:
    """(requests replayed, requests journaled) from the line after "listening on"."""
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r": (\d+) requests replayed in [\d.]+s \((\d+) in the journal\)", line)
    assert match, line
    return int(match.group(1)), int(match.group(2))


def test_compaction_drops_undone_requests_and_keeps_the_state(tmp_path: Path) -> None:
    with emulator_process(tmp_path) as (process, endpoint):
        assert _restored(process) == (0, 0)
        _churn(endpoint)
        expected = _state(endpoint)
        process.send_signal(signal.SIGTERM)
    with emulator_process(tmp_path) as (process, endpoint):
        replayed, journaled = _restored(process)
        assert replayed < journaled / 2
        assert _state(endpoint) == expected
        uploads = _clients(endpoint)["s3"].list_multipart_uploads(Bucket="churn").get("Uploads", [])
        assert [u["Key"] for u in uploads] == ["pending.bin"]
        process.send_signal(signal.SIGTERM)
    with emulator_process(tmp_path) as (process, endpoint):
        assert _restored(process) == (replayed, replayed)  # already compact: nothing more to drop
        assert _state(endpoint) == expected
        process.send_signal(signal.SIGTERM)
    assert list((tmp_path / "blobs").iterdir()) == []  # the deleted objects' body files are gone


def test_an_unusable_data_dir_is_named_in_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    assert main(["--port", "0", "--data-dir", str(not_a_directory)]) == 1
    assert f"athena-lite emulator: cannot use data directory {not_a_directory}: " in capsys.readouterr().err
