// Makes the Parquet fixtures of Native.Numerics.Parquet.Tests, and beside some of them the same rows as CSV, with
// DuckDB's Parquet writer: a writer data teams use, independent of the reader under test (ParquetSharp, over Apache
// Arrow). Debian has no python3-pyarrow and no fastparquet, so not pandas; DuckDB comes from npm here.
//
//   cd tests/Native.Numerics.Parquet.Tests/Fixtures && npm install && node make-fixtures.mjs
//
// Every value is a function of the row number, so the files are the same on every run. The tests read the CSV files
// with Native's own CSV reader and hold the Parquet reader to the same floats, bit for bit.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const run = sql => c.run(sql);

// 2,500 rows in row groups of 2,048 (DuckDB's smallest): two row groups, the second short. Every numeric physical and logical type DuckDB
// writes: INT32 as Int(8/16/32, signed and unsigned), INT64 signed and unsigned (past 2^63), FLOAT, DOUBLE, BOOLEAN,
// decimals as INT32 (precision 4), INT64 (precision 18) and FIXED_LEN_BYTE_ARRAY(16) (precision 30); a low-cardinality
// column (dictionary-encoded), an optional column without nulls, a text column (not a feature), a text label.
await run(`CREATE TABLE mixed AS SELECT
    ((i * 37) % 255 - 127)::TINYINT AS i8,
    ((i * 11) % 256)::UTINYINT AS u8,
    ((i * 7919) % 65535 - 32767)::SMALLINT AS i16,
    ((i * 104729) % 65536)::USMALLINT AS u16,
    ((i::BIGINT * 2654435761) % 4294967295 - 2147483647)::INTEGER AS i32,
    ((i::BIGINT * 2246822519) % 4294967296)::UINTEGER AS u32,
    (i::HUGEINT * 4391063126783 - 9000000000000000000)::BIGINT AS i64,
    (18446744073709551615::HUGEINT - i::HUGEINT * 4391063126783)::UBIGINT AS u64,
    (i * 0.37 - 500)::FLOAT AS f,
    (i * 1.0e-3 + i * i * 7.5e-7 - 3)::DOUBLE AS d,
    ((i * 13) % 2000 / 10.0 - 100)::DECIMAL(4,1) AS dec4,
    ((i * 7777777) % 1000000000000 / 1000000.0 - 500000)::DECIMAL(18,6) AS dec18,
    ((i::HUGEINT * 987654321987) % 10000000000000 / 100000.0)::DECIMAL(30,5) AS dec30,
    (i % 3 = 0) AS b,
    (i % 5)::INTEGER AS dict,
    (i / 8.0)::DOUBLE AS opt,
    ['red','green','blue'][1 + i % 3] AS colour,
    ['setosa','versicolor','virginica'][1 + (i * 7) % 3] AS species
  FROM range(2500) t(i)`);
await run(`COPY mixed TO 'mixed.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048)`);
// The CSV twin: the same rows, booleans as 0 and 1, without the text feature.
await run(`COPY (SELECT * EXCLUDE (b, colour, species), b::INTEGER AS b, species FROM mixed) TO 'mixed.csv' (HEADER)`);

// Integer labels, negative ones too: classes in numeric order (-1, 3, 7).
await run(`CREATE TABLE integers AS SELECT (i % 17)::INTEGER AS x, ((i * 3) % 11 / 4.0)::DOUBLE AS y, [7, -1, 3][1 + i % 3]::BIGINT AS digit FROM range(300) t(i)`);
await run(`COPY integers TO 'integers.parquet' (FORMAT parquet)`);
await run(`COPY integers TO 'integers.csv' (HEADER)`);

// A regression: a double target, first column; the features after it.
await run(`CREATE TABLE regression AS SELECT (i * 0.25 - 7)::DOUBLE AS target, (i % 9)::INTEGER AS a, (i / 3.0)::FLOAT AS b FROM range(500) t(i)`);
await run(`COPY regression TO 'regression.parquet' (FORMAT parquet)`);
await run(`COPY regression TO 'regression.csv' (HEADER)`);

// The same dataset in three part files, as Spark writes a table: part-0..2, 1,000 rows each.
rmSync('parts', { recursive: true, force: true });
mkdirSync('parts');
await run(`CREATE TABLE parts AS SELECT (i % 31)::INTEGER AS a, (i * 0.5)::DOUBLE AS b, (i % 4 = 1) AS c, (i % 3)::INTEGER AS label FROM range(3000) t(i)`);
for (let p = 0; p < 3; p++) {
  await run(`COPY (SELECT * FROM parts LIMIT 1000 OFFSET ${p * 1000}) TO 'parts/part-${p}.parquet' (FORMAT parquet)`);
}
await run(`COPY (SELECT a, b, c::INTEGER AS c, label FROM parts) TO 'parts.csv' (HEADER)`);

// One small table under every compression DuckDB writes, and with version-2 data pages (and delta encodings).
await run(`CREATE TABLE small AS SELECT (i % 13)::INTEGER AS a, (i * 1.25)::DOUBLE AS b, (i / 7)::BIGINT AS c, (i % 2)::INTEGER AS label FROM range(700) t(i)`);
await run(`COPY small TO 'small.csv' (HEADER)`);
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw']) {
  await run(`COPY small TO 'codec-${codec}.parquet' (FORMAT parquet, COMPRESSION ${codec})`);
}
await run(`COPY small TO 'pages-v2.parquet' (FORMAT parquet, PARQUET_VERSION v2)`);

// A null feature in the second row group (row 2100), and a null label (row 5).
await run(`COPY (SELECT (i % 10)::INTEGER AS a, CASE WHEN i = 2100 THEN NULL ELSE i * 0.5 END::DOUBLE AS b, (i % 2)::INTEGER AS label FROM range(2500) t(i)) TO 'null-feature.parquet' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
await run(`COPY (SELECT (i % 10)::INTEGER AS a, CASE WHEN i = 5 THEN NULL ELSE i % 2 END::INTEGER AS label FROM range(50) t(i)) TO 'null-label.parquet' (FORMAT parquet)`);

// Values a float cannot hold: NaN at row 7, infinity at row 8, 1e300 at row 9, each in its own file.
for (const [name, value] of [['nan', `'NaN'::DOUBLE`], ['infinity', `'Infinity'::DOUBLE`], ['huge', '1e300::DOUBLE']]) {
  await run(`COPY (SELECT (i % 10)::INTEGER AS a, CASE WHEN i = 7 THEN ${value} ELSE i END::DOUBLE AS b, (i % 2)::INTEGER AS label FROM range(20) t(i)) TO 'nonfinite-${name}.parquet' (FORMAT parquet)`);
}

// Columns that are not numbers beside some that are: a date, a timestamp, bytes, a list, a struct.
await run(`COPY (SELECT (i % 10)::INTEGER AS a, DATE '2024-01-01' + i::INTEGER AS day, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS at,
    'x'::BLOB AS raw, [i, i + 1] AS pair, {'p': i, 'q': 'z'} AS point, (i * 0.5)::DOUBLE AS b, (i % 2)::INTEGER AS label FROM range(30) t(i)) TO 'other-types.parquet' (FORMAT parquet)`);

// One class only.
await run(`COPY (SELECT i::INTEGER AS a, 4::INTEGER AS label FROM range(10) t(i)) TO 'one-class.parquet' (FORMAT parquet)`);

console.log('fixtures written');
