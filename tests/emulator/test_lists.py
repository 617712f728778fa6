"""Flow Service list semantics: filters, orderby, paging with continuation tokens, count."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

from .helpers import Aep, base_connection_body


def _code(response: object) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]  # type: ignore[attr-defined]


def _create(aep: Aep, count: int) -> list[str]:
    ids = []
    for i in range(count):
        response = aep.post("/flowservice/connections", json=base_connection_body(f"conn-{i:02d}"))
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


def test_pages_follow_continuation_tokens() -> None:
    with EmulatorServer(EmulatorConfig(page_size=4)) as srv:
        aep = Aep(srv)
        created = _create(aep, 10)
        first = aep.get("/flowservice/connections", params={"property": "name!=nothing"}).json()
        assert len(first["items"]) == 4
        seen = [i["id"] for i in first["items"]]
        href = first["_links"]["next"]["href"]
        assert href.startswith("/connections?continuationToken=")
        assert list(parse_qs(urlsplit(href).query)) == ["continuationToken"]
        pages = 1
        while "next" in first["_links"]:
            token = parse_qs(urlsplit(first["_links"]["next"]["href"]).query)["continuationToken"][0]
            first = aep.get(
                "/flowservice/connections", params={"property": "name!=nothing", "continuationToken": token}
            ).json()
            seen += [i["id"] for i in first["items"]]
            pages += 1
        assert pages == 3
        assert seen == created
        explicit = aep.get("/flowservice/connections", params={"limit": 7}).json()
        assert len(explicit["items"]) == 7 and "next" in explicit["_links"]
        follow = aep.get(
            explicit["_links"]["next"]["href"].replace("/connections", "/flowservice/connections", 1)
        )
        assert follow.status_code == 200
        assert len(follow.json()["items"]) == 3
        assert "next" not in follow.json()["_links"]


def test_count_and_limit(aep: Aep) -> None:
    _create(aep, 3)
    assert aep.get("/flowservice/connections", params={"count": "true"}).json() == {"count": 3}
    both = aep.get("/flowservice/connections", params={"count": "true", "limit": 2})
    assert both.status_code == 400 and _code(both) == "FLOW-1401-400"
    assert aep.get("/flowservice/connections", params={"limit": 0}).status_code == 400
    assert aep.get("/flowservice/connections", params={"continuationToken": "garbage!"}).status_code == 400


def test_filters_and_orderby(aep: Aep) -> None:
    ids = _create(aep, 5)
    one = aep.get("/flowservice/connections", params={"property": "name==conn-03"}).json()["items"]
    assert [i["id"] for i in one] == [ids[3]]
    either = aep.get("/flowservice/connections", params={"property": "name==conn-01,conn-04"}).json()["items"]
    assert {i["id"] for i in either} == {ids[1], ids[4]}
    anded = aep.get(
        "/flowservice/connections",
        params=[
            ("property", "name!=conn-00"),
            ("property", "name!=conn-01"),
            ("property", "connectionSpec.id==cc2c31d6-7b8c-4581-b49f-5c8698aa3ab3"),
        ],
    ).json()["items"]
    assert [i["id"] for i in anded] == ids[2:]
    desc = aep.get("/flowservice/connections", params={"orderby": "-name"}).json()["items"]
    assert [i["name"] for i in desc] == [f"conn-{i:02d}" for i in range(4, -1, -1)]
    asc = aep.get("/flowservice/connections", params={"orderby": "+createdAt"}).json()["items"]
    assert [i["id"] for i in asc] == ids
    bad_field = aep.get("/flowservice/connections", params={"property": "auth.params.accessToken==x"})
    assert bad_field.status_code == 400 and _code(bad_field) == "FLOW-1449-400"
    bad_op = aep.get("/flowservice/connections", params={"property": "name~conn"})
    assert bad_op.status_code == 400 and _code(bad_op) == "FLOW-1440-400"
    bad_order = aep.get("/flowservice/connections", params={"orderby": "colour"})
    assert bad_order.status_code == 400 and _code(bad_order) == "FLOW-1433-400"


def test_array_filters_on_flows(aep: Aep) -> None:
    first = aep.onboard("charges")
    second = aep.onboard("customers")
    by_source = aep.get(
        "/flowservice/flows", params={"property": f"sourceConnectionIds[]=={second['source']}"}
    )
    assert [f["id"] for f in by_source.json()["items"]] == [second["flow"]]
    by_mapping = aep.get(
        "/flowservice/flows", params={"property": f"transformations[].params.mappingId=={first['mapping']}"}
    )
    assert [f["id"] for f in by_mapping.json()["items"]] == [first["flow"]]
    source_flows = aep.get(
        "/flowservice/flows", params={"property": "inheritedAttributes.properties.isSourceFlow==true"}
    ).json()
    assert len(source_flows["items"]) == 2
