"""What the server does to keys longer than its engine allows, modelled in flavor.normalize
(``Flavor.key_limits``): a plain key's part is cut to a prefix with only a note (1071), a UNIQUE
key becomes MariaDB's long unique (a hidden hash) or is refused. Each case runs on the server
and the model parsed from the SQL must equal the model the server reports."""

from __future__ import annotations

import pytest

from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.parse.schemafile import parse_text

from test_oracle import check_oracle

MARIADB = Flavor.from_version_string("10.11.6-MariaDB")
MYSQL = Flavor.from_version_string("8.0.36")

# (engine and options, column, key, the key part's length the server keeps (None: the whole column))
CASES = [
    ("ENGINE=MyISAM", "a varchar(255) CHARACTER SET utf8mb4", "KEY k (a)", 250),
    ("ENGINE=MyISAM", "a varchar(1000) CHARACTER SET utf8mb3", "KEY k (a)", 333),
    ("ENGINE=MyISAM", "a varchar(4000) CHARACTER SET latin1", "KEY k (a)", 1000),
    ("ENGINE=MyISAM", "a varbinary(4000)", "KEY k (a)", 1000),
    ("ENGINE=MyISAM", "a varchar(1000) CHARACTER SET utf8mb4", "KEY k (a(900))", 250),
    ("ENGINE=MyISAM", "a text CHARACTER SET utf8mb4", "KEY k (a(1000))", 250),
    ("ENGINE=MyISAM", "a char(255) CHARACTER SET utf8mb4", "KEY k (a)", 250),
    ("ENGINE=MyISAM", "a varchar(200) CHARACTER SET utf8mb4", "KEY k (a)", None),
    ("ENGINE=Aria", "a varchar(1000) CHARACTER SET utf8mb4", "KEY k (a)", 575),
    ("ENGINE=Aria", "a char(255) CHARACTER SET utf8mb4", "KEY k (a)", None),
    ("ENGINE=InnoDB", "a varchar(1000) CHARACTER SET utf8mb4", "KEY k (a)", 768),
    ("ENGINE=InnoDB ROW_FORMAT=DYNAMIC", "a varchar(4000) CHARACTER SET latin1", "KEY k (a)", 3072),
    ("ENGINE=InnoDB ROW_FORMAT=COMPRESSED", "a blob", "KEY k (a(4000))", 3072),
    ("ENGINE=InnoDB", "a varchar(1000) CHARACTER SET utf8mb3", "KEY k (a)", None),
    ("ENGINE=MEMORY", "a varchar(1000) CHARACTER SET utf8mb4", "KEY k (a)", 768),
    ("ENGINE=MEMORY", "a varchar(1000) CHARACTER SET utf8mb3", "KEY k (a)", None),
    # UNIQUE keys are never cut: MariaDB makes them long uniques (InnoDB, MyISAM)
    ("ENGINE=MyISAM", "a varchar(1000) CHARACTER SET utf8mb4", "UNIQUE KEY k (a)", None),
    ("ENGINE=MyISAM", "a varchar(300), b varchar(300)", "UNIQUE KEY k (a, b)", None),
    ("ENGINE=InnoDB", "a varchar(4000) CHARACTER SET latin1", "UNIQUE KEY k (a)", None),
]


def _sql(options: str, column: str, key: str) -> str:
    return f"CREATE TABLE t (id int NOT NULL PRIMARY KEY, {column}, {key}) {options} DEFAULT CHARSET=utf8mb4"


@pytest.mark.parametrize("options, column, key, kept", CASES)
def test_the_model_cuts_like_mariadb(options, column, key, kept):
    table = normalize(parse_text(_sql(options, column, key)).schema, MARIADB).tables[0]
    index = table.index("k")
    assert index.parts[0].length == kept
    assert index.hashed == ("UNIQUE" in key and ("MyISAM" in options or "InnoDB" in options) and
                            ("4000" in column or "1000" in column or "300" in column))


@pytest.mark.server
@pytest.mark.parametrize("options, column, key, kept", CASES)
def test_as_the_server_stores_it(server, databases, options, column, key, kept):
    assert check_oracle(server, databases, lambda db: _sql(options, column, key)) == "equal"


def test_mysql_cuts_innodb_keys_alike_and_never_makes_long_uniques():
    table = normalize(parse_text(_sql("ENGINE=InnoDB", "a varchar(1000)", "KEY k (a), UNIQUE KEY u (a(900))"))
                      .schema, MYSQL).tables[0]
    assert table.index("k").parts[0].length == 768
    assert not table.index("u").hashed and table.index("u").parts[0].length == 900  # MySQL refuses it


def test_compact_row_format_refuses_rather_than_cuts():
    """COMPACT and REDUNDANT allow 767 bytes per key part and refuse a longer one (error 1709):
    the model keeps the key as declared, and the server's error reaches the user."""
    for flavor in (MARIADB, MYSQL):
        table = normalize(parse_text(_sql("ENGINE=InnoDB ROW_FORMAT=COMPACT", "a varchar(1000)", "KEY k (a)"))
                          .schema, flavor).tables[0]
        assert table.index("k").parts[0].length is None


def test_the_servers_default_row_format_decides():
    compact = Flavor.from_version_string("10.11.6-MariaDB", innodb_row_format="COMPACT")
    table = normalize(parse_text(_sql("ENGINE=InnoDB", "a varchar(1000)", "KEY k (a)")).schema, compact).tables[0]
    assert table.index("k").parts[0].length is None
