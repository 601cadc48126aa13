"""A pyiceberg FileIO over the engine's boto3 S3 client.

pyiceberg's default PyArrowFileIO writes every file as a multipart upload, whose completion Arrow's
S3 client rejects from the local S3; and it would bypass the internal client whose key id keeps the
emulator's own traffic out of /_emulator/stats. Iceberg files are written whole and read whole
(metadata, manifests; DuckDB reads the data files), so a buffered object per file is enough.
"""

from __future__ import annotations

import io
from types import TracebackType
from typing import Any

from pyiceberg.io import FileIO, InputFile, InputStream, OutputFile, OutputStream

from dbt_athena_lite.emulator.engine.storage import split_s3_url


def _is_missing(error: Exception) -> bool:
    code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class _Upload(io.BytesIO):
    """Buffers a file; PutObject on close (a failed writer leaves no object behind)."""

    def __init__(self, s3: Any, location: str, on_close: OutputFileOnS3) -> None:
        super().__init__()
        self._s3 = s3
        self._location = location
        self._file = on_close
        self._failed = False

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._failed = kind is not None
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        if not self._failed:
            body = self.getvalue()
            bucket, key = split_s3_url(self._location)
            self._s3.put_object(Bucket=bucket, Key=key, Body=body)
            self._file.size = len(body)
        super().close()


class InputFileOnS3(InputFile):
    def __init__(self, s3: Any, location: str) -> None:
        super().__init__(location)
        self._s3 = s3

    def __len__(self) -> int:
        bucket, key = split_s3_url(self.location)
        return int(self._s3.head_object(Bucket=bucket, Key=key)["ContentLength"])

    def exists(self) -> bool:
        try:
            len(self)
        except Exception as error:
            if _is_missing(error):
                return False
            raise
        return True

    def open(self, seekable: bool = True) -> InputStream:
        bucket, key = split_s3_url(self.location)
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as error:
            if _is_missing(error):
                raise FileNotFoundError(self.location) from error
            raise
        return io.BytesIO(body)


class OutputFileOnS3(OutputFile):
    def __init__(self, s3: Any, location: str) -> None:
        super().__init__(location)
        self._s3 = s3
        self.size: int | None = None

    def __len__(self) -> int:
        return self.size if self.size is not None else len(self.to_input_file())

    def exists(self) -> bool:
        return self.to_input_file().exists()

    def to_input_file(self) -> InputFile:
        return InputFileOnS3(self._s3, self.location)

    def create(self, overwrite: bool = False) -> OutputStream:
        if not overwrite and self.exists():
            raise FileExistsError(self.location)
        return _Upload(self._s3, self.location, self)


class S3ClientFileIO(FileIO):
    """FileIO whose every call is a plain S3 API call through `s3` (a boto3 client)."""

    def __init__(self, s3: Any) -> None:
        super().__init__()
        self._s3 = s3

    def new_input(self, location: str) -> InputFile:
        return InputFileOnS3(self._s3, location)

    def new_output(self, location: str) -> OutputFile:
        return OutputFileOnS3(self._s3, location)

    def delete(self, location: str | InputFile | OutputFile) -> None:
        url = location if isinstance(location, str) else location.location
        bucket, key = split_s3_url(url)
        self._s3.delete_object(Bucket=bucket, Key=key)
