"""The bundled real registries (vn-2023, vn-2025): shape, counts, names and honesty about unconfirmed URLs."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portalscore.registry import Registry, load_registry

# The 63 provincial units in force until 30/6/2025.
PROVINCES_2023 = {
    "Thành phố Hà Nội",
    "Tỉnh Hà Giang",
    "Tỉnh Cao Bằng",
    "Tỉnh Bắc Kạn",
    "Tỉnh Tuyên Quang",
    "Tỉnh Lào Cai",
    "Tỉnh Điện Biên",
    "Tỉnh Lai Châu",
    "Tỉnh Sơn La",
    "Tỉnh Yên Bái",
    "Tỉnh Hòa Bình",
    "Tỉnh Thái Nguyên",
    "Tỉnh Lạng Sơn",
    "Tỉnh Quảng Ninh",
    "Tỉnh Bắc Giang",
    "Tỉnh Phú Thọ",
    "Tỉnh Vĩnh Phúc",
    "Tỉnh Bắc Ninh",
    "Tỉnh Hải Dương",
    "Thành phố Hải Phòng",
    "Tỉnh Hưng Yên",
    "Tỉnh Thái Bình",
    "Tỉnh Hà Nam",
    "Tỉnh Nam Định",
    "Tỉnh Ninh Bình",
    "Tỉnh Thanh Hóa",
    "Tỉnh Nghệ An",
    "Tỉnh Hà Tĩnh",
    "Tỉnh Quảng Bình",
    "Tỉnh Quảng Trị",
    "Tỉnh Thừa Thiên Huế",
    "Thành phố Đà Nẵng",
    "Tỉnh Quảng Nam",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Bình Định",
    "Tỉnh Phú Yên",
    "Tỉnh Khánh Hòa",
    "Tỉnh Ninh Thuận",
    "Tỉnh Bình Thuận",
    "Tỉnh Kon Tum",
    "Tỉnh Gia Lai",
    "Tỉnh Đắk Lắk",
    "Tỉnh Đắk Nông",
    "Tỉnh Lâm Đồng",
    "Tỉnh Bình Phước",
    "Tỉnh Tây Ninh",
    "Tỉnh Bình Dương",
    "Tỉnh Đồng Nai",
    "Tỉnh Bà Rịa - Vũng Tàu",
    "Thành phố Hồ Chí Minh",
    "Tỉnh Long An",
    "Tỉnh Tiền Giang",
    "Tỉnh Bến Tre",
    "Tỉnh Trà Vinh",
    "Tỉnh Vĩnh Long",
    "Tỉnh Đồng Tháp",
    "Tỉnh An Giang",
    "Tỉnh Kiên Giang",
    "Thành phố Cần Thơ",
    "Tỉnh Hậu Giang",
    "Tỉnh Sóc Trăng",
    "Tỉnh Bạc Liêu",
    "Tỉnh Cà Mau",
}

# Nghị quyết 202/2025/QH15: each of the 34 units from 1/7/2025 and the 2023 units it covers.
MERGERS_2025 = {
    "Thành phố Hà Nội": ["Thành phố Hà Nội"],
    "Thành phố Huế": ["Tỉnh Thừa Thiên Huế"],
    "Tỉnh Lai Châu": ["Tỉnh Lai Châu"],
    "Tỉnh Điện Biên": ["Tỉnh Điện Biên"],
    "Tỉnh Sơn La": ["Tỉnh Sơn La"],
    "Tỉnh Lạng Sơn": ["Tỉnh Lạng Sơn"],
    "Tỉnh Quảng Ninh": ["Tỉnh Quảng Ninh"],
    "Tỉnh Thanh Hóa": ["Tỉnh Thanh Hóa"],
    "Tỉnh Nghệ An": ["Tỉnh Nghệ An"],
    "Tỉnh Hà Tĩnh": ["Tỉnh Hà Tĩnh"],
    "Tỉnh Cao Bằng": ["Tỉnh Cao Bằng"],
    "Tỉnh Tuyên Quang": ["Tỉnh Tuyên Quang", "Tỉnh Hà Giang"],
    "Tỉnh Lào Cai": ["Tỉnh Lào Cai", "Tỉnh Yên Bái"],
    "Tỉnh Thái Nguyên": ["Tỉnh Thái Nguyên", "Tỉnh Bắc Kạn"],
    "Tỉnh Phú Thọ": ["Tỉnh Phú Thọ", "Tỉnh Vĩnh Phúc", "Tỉnh Hòa Bình"],
    "Tỉnh Bắc Ninh": ["Tỉnh Bắc Ninh", "Tỉnh Bắc Giang"],
    "Tỉnh Hưng Yên": ["Tỉnh Hưng Yên", "Tỉnh Thái Bình"],
    "Thành phố Hải Phòng": ["Thành phố Hải Phòng", "Tỉnh Hải Dương"],
    "Tỉnh Ninh Bình": ["Tỉnh Ninh Bình", "Tỉnh Hà Nam", "Tỉnh Nam Định"],
    "Tỉnh Quảng Trị": ["Tỉnh Quảng Trị", "Tỉnh Quảng Bình"],
    "Thành phố Đà Nẵng": ["Thành phố Đà Nẵng", "Tỉnh Quảng Nam"],
    "Tỉnh Quảng Ngãi": ["Tỉnh Quảng Ngãi", "Tỉnh Kon Tum"],
    "Tỉnh Gia Lai": ["Tỉnh Gia Lai", "Tỉnh Bình Định"],
    "Tỉnh Khánh Hòa": ["Tỉnh Khánh Hòa", "Tỉnh Ninh Thuận"],
    "Tỉnh Lâm Đồng": ["Tỉnh Lâm Đồng", "Tỉnh Đắk Nông", "Tỉnh Bình Thuận"],
    "Tỉnh Đắk Lắk": ["Tỉnh Đắk Lắk", "Tỉnh Phú Yên"],
    "Thành phố Hồ Chí Minh": ["Thành phố Hồ Chí Minh", "Tỉnh Bình Dương", "Tỉnh Bà Rịa - Vũng Tàu"],
    "Tỉnh Đồng Nai": ["Tỉnh Đồng Nai", "Tỉnh Bình Phước"],
    "Tỉnh Tây Ninh": ["Tỉnh Tây Ninh", "Tỉnh Long An"],
    "Thành phố Cần Thơ": ["Thành phố Cần Thơ", "Tỉnh Sóc Trăng", "Tỉnh Hậu Giang"],
    "Tỉnh Vĩnh Long": ["Tỉnh Vĩnh Long", "Tỉnh Bến Tre", "Tỉnh Trà Vinh"],
    "Tỉnh Đồng Tháp": ["Tỉnh Đồng Tháp", "Tỉnh Tiền Giang"],
    "Tỉnh Cà Mau": ["Tỉnh Cà Mau", "Tỉnh Bạc Liêu"],
    "Tỉnh An Giang": ["Tỉnh An Giang", "Tỉnh Kiên Giang"],
}

# Nghị quyết 08/2021/QH15: 18 ministries + 4 ministry-level bodies. Văn phòng Chính phủ appears as the
# national portal it runs, so it is not a "ministry" entry.
MINISTRIES_2023 = {
    "Bộ Quốc phòng",
    "Bộ Công an",
    "Bộ Ngoại giao",
    "Bộ Nội vụ",
    "Bộ Tư pháp",
    "Bộ Kế hoạch và Đầu tư",
    "Bộ Tài chính",
    "Bộ Công Thương",
    "Bộ Nông nghiệp và Phát triển nông thôn",
    "Bộ Giao thông vận tải",
    "Bộ Xây dựng",
    "Bộ Tài nguyên và Môi trường",
    "Bộ Thông tin và Truyền thông",
    "Bộ Lao động - Thương binh và Xã hội",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Y tế",
    "Ủy ban Dân tộc",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
}

# Nghị quyết 176/2025/QH15: 14 ministries + 3 ministry-level bodies (Văn phòng Chính phủ as above).
MINISTRIES_2025 = {
    "Bộ Quốc phòng",
    "Bộ Công an",
    "Bộ Ngoại giao",
    "Bộ Nội vụ",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Bộ Công Thương",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Xây dựng",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Y tế",
    "Bộ Dân tộc và Tôn giáo",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
}

EXPECTED = {
    "vn-2023": (set(PROVINCES_2023), MINISTRIES_2023),
    "vn-2025": (set(MERGERS_2025), MINISTRIES_2025),
}

# Latin letters with Vietnamese diacritics, plus the punctuation official names use.
_VIETNAMESE_NAME = re.compile(r"^[A-Za-zÀ-ỹĐđ][A-Za-zÀ-ỹĐđ ,.\-]*$")


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def registry(request) -> Registry:
    return load_registry(request.param)


def _names(registry: Registry, kind: str) -> list[str]:
    return [p.name for p in registry.portals if p.kind == kind]


def test_loads_by_bundled_name(registry: Registry) -> None:
    assert registry.name in EXPECTED
    assert registry.file.endswith(f"registries/{registry.name}.yaml")


def test_provinces_are_exactly_the_units_of_the_time(registry: Registry) -> None:
    names = _names(registry, "province")
    assert len(names) == len(set(names))
    assert set(names) == EXPECTED[registry.name][0]


def test_ministries_are_exactly_the_bodies_of_the_time(registry: Registry) -> None:
    names = _names(registry, "ministry")
    assert len(names) == len(set(names))
    assert set(names) == EXPECTED[registry.name][1]


def test_counts() -> None:
    counts = {}
    for name in EXPECTED:
        portals = load_registry(name).portals
        counts[name] = {kind: sum(p.kind == kind for p in portals) for kind in ("province", "ministry", "national")}
    assert counts == {
        "vn-2023": {"province": 63, "ministry": 21, "national": 1},
        "vn-2025": {"province": 34, "ministry": 16, "national": 1},
    }


def test_2025_has_six_centrally_run_cities() -> None:
    cities = [n for n in _names(load_registry("vn-2025"), "province") if n.startswith("Thành phố ")]
    assert sorted(cities) == sorted(
        [
            "Thành phố Hà Nội",
            "Thành phố Huế",
            "Thành phố Hải Phòng",
            "Thành phố Đà Nẵng",
            "Thành phố Hồ Chí Minh",
            "Thành phố Cần Thơ",
        ]
    )


def test_2025_units_cover_every_2023_province_exactly_once() -> None:
    covered = [old for olds in MERGERS_2025.values() for old in olds]
    assert sorted(covered) == sorted(_names(load_registry("vn-2023"), "province"))


def test_merged_units_name_what_they_absorbed_in_the_note() -> None:
    by_name = {p.name: p for p in load_registry("vn-2025").portals}
    for new, olds in MERGERS_2025.items():
        if len(olds) > 1:
            note = by_name[new].note
            assert "202/2025/QH15" in note, new
            assert all(old in note for old in olds), new


def test_ids_unique_and_ascii_slugs(registry: Registry) -> None:
    ids = [p.id for p in registry.portals]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_names_are_nfc_vietnamese_with_english_names(registry: Registry) -> None:
    for p in registry.portals:
        assert unicodedata.normalize("NFC", p.name) == p.name, p.id
        assert _VIETNAMESE_NAME.match(p.name), p.name
        assert p.name_en and p.name_en.isascii(), p.id
    # Diacritics really are there (a file saved without them would still pass the pattern above).
    names = {p.name for p in registry.portals}
    assert "Bộ Công an" in names and "Bộ Y tế" in names


def test_urls_are_https_roots(registry: Registry) -> None:
    for p in registry.portals:
        parts = urlsplit(p.url)
        assert parts.scheme == "https" and parts.path == "/" and not parts.query, p.url


def test_every_unconfirmed_url_says_so(registry: Registry) -> None:
    for p in registry.portals:
        if not p.url_confirmed:
            assert p.note.strip(), p.id
            assert "unconfirmed" in p.note.lower(), p.id


def test_every_confirmed_url_cites_a_source(registry: Registry) -> None:
    for p in registry.portals:
        if p.url_confirmed:
            assert "Source:" in p.note, p.id


def test_no_non_government_host_unless_noted(registry: Registry) -> None:
    for p in registry.portals:
        host = urlsplit(p.url).hostname or ""
        if not host.endswith(".gov.vn"):
            assert host in p.note, f"{p.id}: {host} is not a .gov.vn host and the note does not explain it"


def test_exactly_one_national_portal(registry: Registry) -> None:
    national = [p for p in registry.portals if p.kind == "national"]
    assert [(p.id, p.url) for p in national] == [("dvc-quoc-gia", "https://dichvucong.gov.vn/")]


def test_no_two_portals_share_a_url(registry: Registry) -> None:
    urls = [p.url for p in registry.portals]
    assert len(urls) == len(set(urls))


def test_documented_example_is_a_valid_registry(tmp_path) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "registries.md").read_text(encoding="utf-8")
    example = doc.split("Example using every key:", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    registry = load_registry(path)
    first = registry.portals[0]
    assert (registry.name, first.max_pages, first.url_confirmed) == ("mien-tay", 60, True)
    assert re.search(first.exclude[1], "https://dichvucong.cantho.gov.vn/tthc?page=120")
    assert set(first.overrides) == {"search_procedure.input", "dossier_lookup"}
    assert registry.portals[1].url_confirmed is False
