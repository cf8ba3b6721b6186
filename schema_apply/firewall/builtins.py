"""The server's built-in functions: the only functions a non-secret view may call.

A call ``name(…)`` — unqualified, unquoted, with no space before the parenthesis — of a server's
built-in function always calls the built-in; any other name calls a stored function of the
current database (the MySQL manual, "Function Name Parsing and Resolution"), and a stored function
can read any table. So "built-in" is decided from a closed list per server, never by "not
qualified": a name that is built-in on MySQL 8.0 (``REGEXP_LIKE``) is a stored function call on
MariaDB, and one that is built-in on MariaDB (``NVL``) is one on MySQL.

Sources: the MySQL 5.7/8.0/8.4 reference manuals' "Built-In Function and Operator Reference" (with
their "Introduced"/"Removed" columns) and the native function registries of MySQL's and MariaDB's
``sql/item_create.cc`` with the function keywords of ``sql/sql_yacc.yy``. The MariaDB lists are
checked against the real server by ``tests/test_firewall_views.py`` (a name not built-in there
fails with "FUNCTION … does not exist").

Left out on purpose, although built-in: functions that read data a view must not hand out —
``LOAD_FILE`` (any file the server can read, table files included), MariaDB's sequence functions
``NEXTVAL``/``LASTVAL``/``SETVAL`` (a sequence is a table), MySQL's internal ``INTERNAL_*`` and
``CAN_ACCESS_*`` (table statistics behind information_schema), ``ROLES_GRAPHML`` and the
performance-schema thread functions — and functions removed from a supported release. Left out
because the name alone does not decide: the geometry constructors (``POINT(x)`` with one argument
calls a stored function named ``point``), ``JSON_TABLE`` (a stored function call outside FROM) and
``AGAINST`` (built-in only right after ``MATCH(…)``, which the caller checks).
"""

from __future__ import annotations

Version = tuple[int, int, int]

# Built-in on every supported server: MySQL 5.7, 8.0, 8.4 and MariaDB 10.6 and later.
COMMON = frozenset("""
    ABS ACOS ASIN ATAN ATAN2 CEIL CEILING CONV COS COT CRC32 DEGREES EXP FLOOR LN LOG LOG10 LOG2 MOD PI
    POW POWER RADIANS RAND ROUND SIGN SIN SQRT TAN TRUNCATE BIT_COUNT
    ASCII BIN BIT_LENGTH CHAR CHAR_LENGTH CHARACTER_LENGTH CONCAT CONCAT_WS ELT EXPORT_SET FIELD FIND_IN_SET
    FORMAT FROM_BASE64 HEX INSERT INSTR LCASE LEFT LENGTH LOCATE LOWER LPAD LTRIM MAKE_SET MID OCT
    OCTET_LENGTH ORD POSITION QUOTE REPEAT REPLACE REVERSE RIGHT RPAD RTRIM SOUNDEX SPACE STRCMP SUBSTR
    SUBSTRING SUBSTRING_INDEX TO_BASE64 TRIM UCASE UNHEX UPPER WEIGHT_STRING
    ADDDATE ADDTIME CONVERT_TZ CURDATE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURTIME DATE DATE_ADD
    DATE_FORMAT DATE_SUB DATEDIFF DAY DAYNAME DAYOFMONTH DAYOFWEEK DAYOFYEAR EXTRACT FROM_DAYS FROM_UNIXTIME
    GET_FORMAT HOUR LAST_DAY LOCALTIME LOCALTIMESTAMP MAKEDATE MAKETIME MICROSECOND MINUTE MONTH MONTHNAME
    NOW PERIOD_ADD PERIOD_DIFF QUARTER SEC_TO_TIME SECOND STR_TO_DATE SUBDATE SUBTIME SYSDATE TIME
    TIME_FORMAT TIME_TO_SEC TIMEDIFF TIMESTAMP TIMESTAMPADD TIMESTAMPDIFF TO_DAYS TO_SECONDS UNIX_TIMESTAMP
    UTC_DATE UTC_TIME UTC_TIMESTAMP WEEK WEEKDAY WEEKOFYEAR YEAR YEARWEEK
    CAST CONVERT COALESCE GREATEST IF IFNULL INTERVAL ISNULL LEAST NULLIF
    AVG BIT_AND BIT_OR BIT_XOR COUNT GROUP_CONCAT MAX MIN STD STDDEV STDDEV_POP STDDEV_SAMP SUM VARIANCE
    VAR_POP VAR_SAMP
    BENCHMARK CHARSET COERCIBILITY COLLATION CONNECTION_ID CURRENT_USER DATABASE FOUND_ROWS LAST_INSERT_ID
    ROW_COUNT SCHEMA SESSION_USER SYSTEM_USER USER VERSION
    AES_DECRYPT AES_ENCRYPT COMPRESS MD5 SHA SHA1 SHA2 UNCOMPRESS UNCOMPRESSED_LENGTH
    DEFAULT GET_LOCK INET_ATON INET_NTOA INET6_ATON INET6_NTOA IS_FREE_LOCK IS_IPV4 IS_IPV4_COMPAT
    IS_IPV4_MAPPED IS_IPV6 IS_USED_LOCK NAME_CONST RELEASE_LOCK SLEEP UUID UUID_SHORT VALUES
    EXTRACTVALUE UPDATEXML MATCH
    JSON_ARRAY JSON_ARRAY_APPEND JSON_ARRAY_INSERT JSON_CONTAINS JSON_CONTAINS_PATH JSON_DEPTH JSON_EXTRACT
    JSON_INSERT JSON_KEYS JSON_LENGTH JSON_MERGE JSON_OBJECT JSON_QUOTE JSON_REMOVE JSON_REPLACE JSON_SEARCH
    JSON_SET JSON_TYPE JSON_UNQUOTE JSON_VALID
    ST_AREA ST_ASBINARY ST_ASGEOJSON ST_ASTEXT ST_ASWKB ST_ASWKT ST_BUFFER ST_CENTROID ST_CONTAINS
    ST_CONVEXHULL ST_CROSSES ST_DIFFERENCE ST_DIMENSION ST_DISJOINT ST_DISTANCE ST_ENDPOINT ST_ENVELOPE
    ST_EQUALS ST_EXTERIORRING ST_GEOMCOLLFROMTEXT ST_GEOMCOLLFROMWKB ST_GEOMETRYN ST_GEOMETRYTYPE
    ST_GEOMFROMGEOJSON ST_GEOMFROMTEXT ST_GEOMFROMWKB ST_INTERIORRINGN ST_INTERSECTION ST_INTERSECTS
    ST_ISCLOSED ST_ISEMPTY ST_ISSIMPLE ST_LENGTH ST_LINEFROMTEXT ST_LINEFROMWKB ST_NUMGEOMETRIES
    ST_NUMINTERIORRINGS ST_NUMPOINTS ST_OVERLAPS ST_POINTFROMTEXT ST_POINTFROMWKB ST_POINTN
    ST_POLYFROMTEXT ST_POLYFROMWKB ST_SRID ST_STARTPOINT ST_SYMDIFFERENCE ST_TOUCHES ST_UNION ST_WITHIN
    ST_X ST_Y MBRCONTAINS MBRDISJOINT MBREQUALS MBRINTERSECTS MBROVERLAPS MBRTOUCHES MBRWITHIN
""".split())

# Window functions: MySQL 8.0.2, MariaDB 10.2.
_WINDOW = "CUME_DIST DENSE_RANK FIRST_VALUE LAG LAST_VALUE LEAD NTH_VALUE NTILE PERCENT_RANK RANK ROW_NUMBER"

# name -> the first MySQL release that has it (and, for a few, the first that no longer has it).
_MYSQL: dict[str, tuple[Version, Version | None]] = {
    **{name: ((8, 0, 2), None) for name in _WINDOW.split()},
    **{name: ((5, 7, 22), None) for name in
       "JSON_ARRAYAGG JSON_OBJECTAGG JSON_MERGE_PATCH JSON_MERGE_PRESERVE JSON_PRETTY JSON_STORAGE_SIZE".split()},
    **{name: ((8, 0, 4), None) for name in
       "REGEXP_LIKE REGEXP_INSTR REGEXP_SUBSTR REGEXP_REPLACE STATEMENT_DIGEST STATEMENT_DIGEST_TEXT"
       " ICU_VERSION".split()},
    **{name: ((8, 0, 0), None) for name in "BIN_TO_UUID UUID_TO_BIN IS_UUID".split()},
    "ANY_VALUE": ((5, 7, 5), None),
    "RANDOM_BYTES": ((5, 7, 0), None),
    "RELEASE_ALL_LOCKS": ((5, 7, 5), None),
    "GROUPING": ((8, 0, 1), None),
    "JSON_OVERLAPS": ((8, 0, 17), None),
    "JSON_SCHEMA_VALID": ((8, 0, 17), None),
    "JSON_SCHEMA_VALIDATION_REPORT": ((8, 0, 17), None),
    "JSON_VALUE": ((8, 0, 21), None),
    "JSON_STORAGE_FREE": ((8, 0, 2), None),
    "FORMAT_BYTES": ((8, 0, 16), None),
    "FORMAT_PICO_TIME": ((8, 0, 16), None),
    "ST_DISTANCE_SPHERE": ((5, 7, 6), None),
    "ST_ISVALID": ((5, 7, 6), None),
    "ST_SIMPLIFY": ((5, 7, 6), None),
    "ST_VALIDATE": ((5, 7, 6), None),
    "MBRCOVEREDBY": ((5, 7, 6), None),
    "MBRCOVERS": ((5, 7, 6), None),
    "MASTER_POS_WAIT": ((5, 7, 0), (8, 4, 0)),
    "SOURCE_POS_WAIT": ((8, 0, 26), None),
    "WAIT_FOR_EXECUTED_GTID_SET": ((5, 7, 5), None),
    "GTID_SUBSET": ((5, 7, 0), None),
    "GTID_SUBTRACT": ((5, 7, 0), None),
}

# name -> the first MariaDB release that has it.
_MARIADB: dict[str, tuple[Version, Version | None]] = {
    **{name: ((10, 2, 0), None) for name in _WINDOW.split()},
    **{name: ((10, 3, 3), None) for name in "MEDIAN PERCENTILE_CONT PERCENTILE_DISC".split()},
    **{name: ((10, 2, 3), None) for name in
       "JSON_COMPACT JSON_DETAILED JSON_EXISTS JSON_LOOSE JSON_QUERY JSON_VALUE".split()},
    **{name: ((10, 2, 25), None) for name in "JSON_MERGE_PATCH JSON_MERGE_PRESERVE".split()},
    **{name: ((10, 5, 0), None) for name in "JSON_ARRAYAGG JSON_OBJECTAGG".split()},
    **{name: ((10, 0, 5), None) for name in "REGEXP_INSTR REGEXP_SUBSTR REGEXP_REPLACE".split()},
    **{name: ((10, 3, 1), None) for name in "CHR LENGTHB NVL NVL2".split()},
    **{name: ((10, 6, 1), None) for name in "ADD_MONTHS SYS_GUID TO_CHAR".split()},
    **{name: ((5, 3, 0), None) for name in
       "COLUMN_ADD COLUMN_CHECK COLUMN_CREATE COLUMN_DELETE COLUMN_EXISTS COLUMN_GET COLUMN_JSON"
       " COLUMN_LIST".split()},
    **{name: ((10, 6, 0), None) for name in
       "DECODE ENCODE ENCRYPT DES_DECRYPT DES_ENCRYPT PASSWORD OLD_PASSWORD".split()},
    "JSON_EQUALS": ((10, 7, 0), None),
    "JSON_NORMALIZE": ((10, 7, 0), None),
    "JSON_OVERLAPS": ((10, 9, 0), None),
    "SFORMAT": ((10, 7, 0), None),
    "NATURAL_SORT_KEY": ((10, 7, 0), None),
    "RANDOM_BYTES": ((10, 10, 0), None),
    "RELEASE_ALL_LOCKS": ((10, 5, 2), None),
    "DECODE_HISTOGRAM": ((10, 0, 0), None),
    "MASTER_POS_WAIT": ((10, 0, 0), None),
    "MASTER_GTID_WAIT": ((10, 0, 9), None),
    "BINLOG_GTID_POS": ((10, 0, 2), None),
    "ST_DISTANCE_SPHERE": ((10, 4, 8), None),
    "ST_BOUNDARY": ((10, 1, 2), None),
    "ST_RELATE": ((10, 1, 2), None),
}


# Built-ins that a space before the parenthesis turns into a stored function call ("COUNT (x)" calls
# a stored function named count): MySQL's functions affected by IGNORE_SPACE (the manual, "Function
# Name Parsing and Resolution") and those MariaDB 10.11 reads so (found by calling each with a space).
SPACE_SENSITIVE = frozenset(f"""
    ADDDATE BIT_AND BIT_OR BIT_XOR CAST COUNT CURDATE CURTIME DATE_ADD DATE_SUB EXTRACT GROUP_CONCAT
    JSON_ARRAYAGG JSON_OBJECTAGG MAX MEDIAN MID MIN NOW PERCENTILE_CONT PERCENTILE_DISC POSITION
    SESSION_USER STD STDDEV STDDEV_POP STDDEV_SAMP ST_COLLECT SUBDATE SUBSTR SUBSTRING SUM SYSDATE
    SYSTEM_USER TRIM VARIANCE VAR_POP VAR_SAMP {_WINDOW}
""".split())


# Built-in functions left out above because of what they read: why, for the refusal
WITHHELD = {
    "LOAD_FILE": "reads a file on the server (any file it can read, the tables' own files included)",
    "NEXTVAL": "reads a sequence, and a sequence is a table",
    "LASTVAL": "reads a sequence, and a sequence is a table",
    "SETVAL": "writes a sequence, and a sequence is a table",
}


def is_builtin(name: str, server: tuple[str, Version] | None) -> bool:
    """Is ``name`` (as written, any case) a built-in function a view may call on ``server``
    (``("mysql" | "mariadb", version)``)? With no server: only if every supported server has it."""
    upper = name.upper()
    if upper in COMMON:
        return True
    if server is None:
        return False
    kind, version = server
    since, until = (_MARIADB if kind == "mariadb" else _MYSQL).get(upper, (None, None))
    return since is not None and version >= since and (until is None or version < until)


def names(server: tuple[str, Version] | None) -> frozenset[str]:
    """Every name :func:`is_builtin` accepts for ``server``."""
    if server is None:
        return COMMON
    extra = _MARIADB if server[0] == "mariadb" else _MYSQL
    return COMMON | {n for n in extra if is_builtin(n, server)}
