"""Arrow tables in and out of PostgreSQL with COPY.

In: PostgreSQL's binary format, encoded by pgpq (the Arrow types must match the columns': int32
for integer, int16 for smallint, timestamp[us] for timestamptz, binary WKB for geometry, lists
for arrays). Out: CSV read by pyarrow, for result sets with few, simple columns.
"""

from __future__ import annotations

import io
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from pgpq import ArrowToPostgresBinaryEncoder
from psycopg import sql

BATCH_ROWS = 50_000
LOOKAHEAD = 2  # batches encoded ahead of the one being sent


def copy_in(conn: psycopg.Connection, statement: sql.Composable | str, table: pa.Table) -> None:
    """Run `COPY … FROM STDIN (FORMAT binary)` with the rows of `table`, in its column order.

    A thread encodes the next batches while the server takes the previous ones."""
    encoder = ArrowToPostgresBinaryEncoder(table.schema)
    ahead: deque[Future[bytes]] = deque()
    with ThreadPoolExecutor(max_workers=1) as pool, conn.cursor().copy(statement) as copy:
        copy.write(encoder.write_header())
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            ahead.append(pool.submit(encoder.write_batch, batch))
            if len(ahead) > LOOKAHEAD:
                copy.write(ahead.popleft().result())
        while ahead:
            copy.write(ahead.popleft().result())
        copy.write(encoder.finish())


def copy_out(
    conn: psycopg.Connection,
    statement: sql.Composable | str,
    schema: pa.Schema,
    params: dict | None = None,
) -> pa.Table:
    """Run `COPY (…) TO STDOUT (FORMAT csv)` and read the rows as `schema` (NULLs kept apart
    from empty strings)."""
    with conn.cursor().copy(statement, params) as copy:
        data = b"".join(copy)
    if not data:
        return schema.empty_table()
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(
            column_names=schema.names, block_size=max(1 << 20, len(data) + 1)
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
