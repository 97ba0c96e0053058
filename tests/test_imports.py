"""Imports: bad files get a clear error naming row and column, and write nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from concord.core.context import Actor
from concord.core.importers import import_file
from concord.core.models import AuditEntry, Organisation, Person
from concord.exchange.tabular import FileRejected, is_formula, neutralise

from .conftest import country, make_org, make_user


@pytest.fixture
def setup(db):
    org = make_org("IMP")
    make_org("AU", name="African Union", aliases=["UA", "Union africaine"])
    user = make_user("importer", org, "contributor")
    country("MLI")
    return org, Actor(user=user, interface="import")


def _counts():
    return Organisation.objects.count(), Person.objects.count(), AuditEntry.objects.count()


def _reject(setup, kind, data, name):
    before = _counts()
    with pytest.raises(FileRejected) as exc:
        import_file(kind, data, name, actor=setup[1])
    assert _counts() == before, "a rejected file must write nothing"
    return exc.value


def test_good_csv_imports_all_rows_through_services(setup):
    data = (
        b"name,acronym,kind,country,aliases\n"
        b"Mopti Peace Forum,MPF,local,MLI,Forum de paix de Mopti\n"
        b"Sahel Women Network,,nngo,MLI,\n"
    )
    saved = import_file("organisations", data, "orgs.csv", actor=setup[1])
    assert [o.name for o in saved] == ["Mopti Peace Forum", "Sahel Women Network"]
    assert all(o.owner == setup[0] for o in saved)
    entries = AuditEntry.objects.filter(interface="import", model="core.organisation")
    assert entries.count() == 2


def test_aliases_resolve_in_affiliations(setup):
    data = b"name,affiliations,languages\nA. Diallo,UA | Liaison officer | 2024-01-01,fr; ff\n"
    person = import_file("people", data, "p.csv", actor=setup[1])[0]
    aff = person.affiliations.get()
    assert aff.organisation.acronym == "AU" and aff.title == "Liaison officer"
    assert person.languages == ["fr", "ff"]


def test_wrong_encoding(setup):
    err = _reject(setup, "organisations", "name,kind\nRéseau,local\n".encode("latin-1"), "o.csv")
    assert "not UTF-8" in str(err) and "row 2" in str(err)


def test_unknown_and_missing_columns(setup):
    err = _reject(setup, "organisations", b"nom,kind,colour\nX,local,red\n", "o.csv")
    text = str(err)
    assert "'nom, colour'" in text and "unknown column" in text
    assert "'name'" in text and "required column" in text


def test_every_bad_row_is_reported_and_nothing_written(setup):
    data = (
        b"name,kind,country,website\n"
        b"Good one,local,MLI,\n"
        b",local,MLI,\n"
        b"Bad kind,spaceship,MLI,\n"
        b"Bad country,local,XXX,\n"
        b"Bad site,local,MLI,not-a-url\n"
    )
    err = _reject(setup, "organisations", data, "o.csv")
    where = {(e.row, e.column) for e in err.errors}
    assert (3, "name") in where
    assert (4, "kind") in where
    assert (5, "country") in where
    assert (6, "website") in where
    assert not Organisation.objects.filter(name="Good one").exists()


def test_duplicate_keys(setup):
    err = _reject(setup, "organisations", b"name,kind\nSame,local\nsame,local\n", "o.csv")
    assert any(e.row == 3 and "duplicate of row 2" in e.message for e in err.errors)


def test_oversize_file(setup, settings):
    big = b"name,kind\n" + b"x" * (50 * 1024 * 1024)
    err = _reject(setup, "organisations", big, "big.csv")
    assert "limit" in str(err) and "52,428,810" in str(err)


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"],
)
def test_formula_injection_is_refused(setup, payload):
    data = io.StringIO()
    data.write("name,kind\n")
    data.write(f'"{payload.replace(chr(34), chr(34) * 2)}",local\n')
    err = _reject(setup, "organisations", data.getvalue().encode(), "o.csv")
    assert any(e.row == 2 and e.column == "name" and "formula" in e.message for e in err.errors)


def test_phone_numbers_are_not_formulas():
    assert not is_formula("+223 20 22 00 00") and not is_formula("-12.5")
    assert is_formula("=1+1") and neutralise("=1+1") == "'=1+1"


def xlsx(*rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_and_json_import(setup):
    data = xlsx(["name", "kind"], ["From XLSX", "ingo"])
    assert import_file("organisations", data, "o.xlsx", actor=setup[1])[0].name == "From XLSX"
    data = json.dumps([{"name": "From JSON", "kind": "ingo", "aliases": "J; JS"}]).encode()
    assert import_file("organisations", data, "o.json", actor=setup[1])[0].aliases == ["J", "JS"]


def test_xlsx_formula_cell_is_refused(setup):
    err = _reject(setup, "organisations", xlsx(["name", "kind"], ["=1+2", "ingo"]), "o.xlsx")
    assert any(e.row == 2 and e.column == "name" for e in err.errors)


def test_exports_neutralise_formulas(setup, client):
    org = setup[0]
    from concord.core import services

    services.save(
        Organisation(
            name='=HYPERLINK("http://x")',
            kind="local",
            owner=org,
            classification=0,
            releasability="public",
        ),
        actor=Actor.system("t"),
    )
    csv_text = b"".join(client.get("/organisations/?export=csv").streaming_content).decode()
    assert "'=HYPERLINK" in csv_text
    response = client.get("/organisations/?export=xlsx")
    assert response.streaming  # in chunks from a temporary file, whatever the rows
    xlsx = b"".join(response.streaming_content)
    cells = [
        c for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True) for c in row
    ]
    assert '\'=HYPERLINK("http://x")' in cells


def test_export_then_import_round_trip_updates_by_id(setup, tmp_path):
    org = setup[0]
    saved = import_file("organisations", b"name,kind\nRound trip,local\n", "o.csv", actor=setup[1])[
        0
    ]
    out = tmp_path / "orgs.csv"
    call_command("export", "organisations", "--as", "importer", "-o", str(out))
    text = out.read_text().replace("Round trip", "Round trip edited")
    only = [line for line in text.splitlines() if line.startswith("id,") or "Round trip" in line]
    out.write_text("\n".join(only) + "\n")
    call_command("import", "organisations", str(out), "--as", "importer")
    saved.refresh_from_db()
    assert saved.name == "Round trip edited" and saved.owner == org


def test_cli_import_errors_name_file_row_and_column(setup, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nOk,local\nWrong,planet\n")
    with pytest.raises(CommandError) as exc:
        call_command("import", "organisations", str(bad), "--as", "importer")
    assert "bad.csv" in str(exc.value) and "row 3" in str(exc.value) and "'kind'" in str(exc.value)
    with pytest.raises(CommandError, match="--as"):
        call_command("import", "organisations", str(bad), "--as", "nobody")


def test_contributor_cannot_import_for_another_organisation(setup):
    err = _reject(setup, "organisations", b"name,kind,owner\nX,local,AU\n", "o.csv")
    assert any(e.column == "owner" for e in err.errors)


def test_web_import_shows_all_errors(setup, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(setup[1].user)
    f = SimpleUploadedFile("o.csv", b"name,kind\nA,local\nB,planet\n,local\n")
    response = client.post("/organisations/import/", {"file": f})
    assert response.status_code == 400
    body = response.content.decode()
    assert "row 3" in body and "row 4" in body and "Nothing was imported" in body


# --- files that would tie up the server (issue 14, item 5) ---------------------------------


def _xlsx_declaring_the_whole_sheet(rows: int) -> bytes:
    """A workbook whose sheet declares A1:XFD1048576 (as some tools write), with ``rows``
    real rows of two cells."""
    import re
    import zipfile

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(["name", "acronym"])
    for i in range(rows):
        ws.append([f"Org {i}", f"O{i}"])
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data)
                data = data.replace(
                    b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1
                )
            dst.writestr(item, data)
    return out.getvalue()


def test_an_xlsx_declaring_the_whole_sheet_is_read_to_its_headers_only(settings):
    from concord.exchange.tabular import read_table

    table = read_table(_xlsx_declaring_the_whole_sheet(3), "orgs.xlsx")
    assert table.headers == ["name", "acronym"]
    assert [r for _, r in table.rows] == [
        {"name": f"Org {i}", "acronym": f"O{i}"} for i in range(3)
    ]
    settings.CONCORD_IMPORT_MAX_ROWS = 100
    with pytest.raises(FileRejected) as exc:
        read_table(_xlsx_declaring_the_whole_sheet(150), "orgs.xlsx")
    assert "more than 100 rows; the limit is 100" in str(exc.value)


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(settings):
    from concord.exchange.tabular import read_table

    settings.CONCORD_IMPORT_MAX_UNPACKED_BYTES = 10_000
    with pytest.raises(FileRejected) as exc:
        read_table(_xlsx_declaring_the_whole_sheet(2000), "orgs.xlsx")
    assert "the limit is 10,000 bytes" in str(exc.value)


def test_a_csv_of_commas_gets_one_error_naming_the_column_limit():
    from concord.exchange.tabular import read_table

    with pytest.raises(FileRejected) as exc:
        read_table(b"," * 1_000_000 + b"\n", "commas.csv")
    assert exc.value.errors[0].message.startswith("1,000,001 columns; the limit is 300")
    assert len(str(exc.value)) < 500


def test_too_many_rows_in_csv_and_json_are_refused_saying_the_limit(settings):
    from concord.exchange.tabular import read_table

    settings.CONCORD_IMPORT_MAX_ROWS = 10
    csv_text = "name\n" + "".join(f"Org {i}\n" for i in range(11))
    with pytest.raises(FileRejected) as exc:
        read_table(csv_text.encode(), "orgs.csv")
    assert "row 12" in str(exc.value) and "the limit is 10" in str(exc.value)
    doc = json.dumps([{"name": f"Org {i}"} for i in range(11)])
    with pytest.raises(FileRejected) as exc:
        read_table(doc.encode(), "orgs.json")
    assert "the limit is 10" in str(exc.value)


def test_json_headers_are_every_key_in_the_order_first_met(settings):
    """The merge is a dict now (it searched a list: 40,000 keys took 18 s); same result."""
    from concord.exchange.tabular import read_table

    settings.CONCORD_IMPORT_MAX_COLUMNS = 50_000
    doc = [{"b": 1, "a": 2}, {"c": 3, "a": 4}] + [{f"k{i}": i} for i in range(40_000)]
    table = read_table(json.dumps(doc).encode(), "wide.json")
    assert table.headers[:3] == ["b", "a", "c"] and len(table.headers) == 40_003
    settings.CONCORD_IMPORT_MAX_COLUMNS = 300
    with pytest.raises(FileRejected) as exc:
        read_table(json.dumps(doc).encode(), "wide.json")
    assert "301 columns; the limit is 300" in str(exc.value)


def test_a_refusal_keeps_at_most_500_problems_and_says_how_many_more():
    from concord.exchange.tabular import CellError

    exc = FileRejected("f.csv", [CellError(i, "a", "bad") for i in range(1, 2001)])
    assert exc.total == 2000 and len(exc.errors) == 501
    assert "1,500 more problems" in str(exc.errors[-1])


def test_the_3w_reader_keeps_the_same_limits(settings):
    from concord.labour import threew

    settings.CONCORD_IMPORT_MAX_ROWS = 5
    text = "Org,Sector\n#org,#sector\n" + "".join(f"Org {i},Health\n" for i in range(10))
    with pytest.raises(FileRejected) as exc:
        threew.read(text.encode(), "3w.csv")
    assert "the limit is 5" in str(exc.value)
    with pytest.raises(FileRejected) as exc:
        threew.read(b"," * 100_000 + b"\n#org\n", "3w.csv")
    assert "100,001 columns; the limit is 300" in str(exc.value)
    with pytest.raises(FileRejected) as exc:
        threew.read(_xlsx_declaring_the_whole_sheet(10), "3w.xlsx")
    assert "the limit is 5" in str(exc.value)
