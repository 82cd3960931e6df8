"""What the sample portals publish: procedures, news, guides, FAQ, dossiers.

Shared by every sample portal (each shows it in its own markup), modelled on the national TTHC
database: codes like 1.001193, the fields of a procedure detail page, service level "toàn trình" /
"một phần" (Nghị định 42/2022/NĐ-CP). The text is illustrative, not legal advice.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Procedure:
    code: str  # national code, d.dddddd
    name: str
    sector: str  # lĩnh vực
    level: str  # "Toàn trình" | "Một phần"
    agency: str  # cơ quan thực hiện
    duration: str  # thời hạn giải quyết
    fee: str  # phí, lệ phí
    documents: tuple[str, ...]  # thành phần hồ sơ
    legal: tuple[str, ...]  # căn cứ pháp lý
    result: str  # kết quả thực hiện
    applicants: str = "Công dân Việt Nam"
    number: int = 0  # numeric record id (ASP.NET / BCA styles)
    forms: tuple[str, ...] = field(default=("mau-to-khai.pdf",))

    @property
    def hex_id(self) -> str:
        """The 24-hex id the `/vi/procedure/detail/<id>` portals use (a Mongo ObjectId)."""
        return hashlib.sha1(self.code.encode()).hexdigest()[:24]

    @property
    def service_code(self) -> str:
        """An OpenCPS-style serviceCode beside the national code."""
        return f"TTHC{self.number:06d}"

    @property
    def steps(self) -> tuple[str, ...]:
        return (
            "Bước 1: Tổ chức, cá nhân chuẩn bị hồ sơ đầy đủ theo quy định.",
            "Bước 2: Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công hoặc nộp trực tiếp tại Bộ phận Một cửa, "
            f"{self.agency}.",
            "Bước 3: Cán bộ tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ; nếu hồ sơ chưa đầy đủ thì "
            "hướng dẫn bổ sung một lần bằng văn bản hoặc qua tài khoản trên Cổng.",
            "Bước 4: Cơ quan có thẩm quyền giải quyết hồ sơ trong thời hạn quy định.",
            "Bước 5: Trả kết quả trực tiếp, qua dịch vụ bưu chính công ích hoặc bản điện tử trên Cổng.",
        )

    @property
    def methods(self) -> tuple[tuple[str, str, str], ...]:
        """Cách thức thực hiện: (hình thức nộp, thời hạn giải quyết, phí/lệ phí)."""
        rows = [("Trực tiếp", self.duration, self.fee), ("Trực tuyến", self.duration, self.fee)]
        rows.append(("Dịch vụ bưu chính", self.duration, self.fee + " (chưa gồm cước bưu chính)"))
        return tuple(rows)


_P = Procedure
PROCEDURES: tuple[Procedure, ...] = (
    _P(
        "1.001193",
        "Đăng ký khai sinh",
        "Hộ tịch",
        "Toàn trình",
        "Ủy ban nhân dân cấp xã",
        "Ngay trong ngày làm việc; trường hợp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo",
        "Miễn lệ phí đối với đăng ký khai sinh đúng hạn",
        (
            "Tờ khai đăng ký khai sinh theo mẫu",
            "Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh",
            "Giấy tờ tùy thân của người đi đăng ký (hoặc dữ liệu từ Cơ sở dữ liệu quốc gia về dân cư)",
        ),
        ("Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP", "Thông tư số 04/2020/TT-BTP"),
        "Giấy khai sinh (bản chính hoặc bản điện tử)",
        number=101,
        forms=("mau-to-khai.pdf", "mau-don-de-nghi.doc"),
    ),
    _P(
        "1.000894",
        "Đăng ký kết hôn",
        "Hộ tịch",
        "Một phần",
        "Ủy ban nhân dân cấp xã",
        "Ngay sau khi nhận đủ hồ sơ hợp lệ; trường hợp cần xác minh không quá 05 ngày làm việc",
        "Miễn lệ phí",
        (
            "Tờ khai đăng ký kết hôn theo mẫu",
            "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không thường trú)",
        ),
        ("Luật Hôn nhân và gia đình số 52/2014/QH13", "Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP"),
        "Giấy chứng nhận kết hôn",
        applicants="Công dân Việt Nam nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi",
        number=102,
    ),
    _P(
        "2.000488",
        "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Lý lịch tư pháp",
        "Toàn trình",
        "Sở Tư pháp",
        "Không quá 10 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "200.000 đồng/lần/người; sinh viên, người có công với cách mạng: 100.000 đồng/lần/người",
        ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp theo mẫu", "Bản chụp Căn cước công dân hoặc Hộ chiếu"),
        ("Luật Lý lịch tư pháp số 28/2009/QH12", "Thông tư số 244/2016/TT-BTC", "Thông tư số 06/2013/TT-BTP"),
        "Phiếu lý lịch tư pháp số 1 hoặc số 2",
        number=103,
        forms=("mau-to-khai.pdf", "mau-don-de-nghi.doc"),
    ),
    _P(
        "1.009972",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        "Một phần",
        "Ủy ban nhân dân cấp huyện",
        "15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "75.000 đồng/giấy phép",
        (
            "Đơn đề nghị cấp giấy phép xây dựng theo mẫu",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "Hai bộ bản vẽ thiết kế xây dựng",
        ),
        (
            "Luật Xây dựng số 50/2014/QH13",
            "Luật số 62/2020/QH14 sửa đổi, bổ sung Luật Xây dựng",
            "Nghị định số 15/2021/NĐ-CP",
        ),
        "Giấy phép xây dựng",
        applicants="Hộ gia đình, cá nhân",
        number=104,
    ),
    _P(
        "1.002804",
        "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
        "Đường bộ",
        "Toàn trình",
        "Sở Giao thông vận tải",
        "Không quá 05 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "135.000 đồng/lần",
        (
            "Đơn đề nghị đổi giấy phép lái xe theo mẫu",
            "Giấy khám sức khỏe của người lái xe (bản điện tử)",
            "Bản sao giấy phép lái xe sắp hết hạn",
        ),
        (
            "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15",
            "Thông tư số 35/2024/TT-BGTVT",
            "Thông tư số 37/2023/TT-BTC",
        ),
        "Giấy phép lái xe",
        number=105,
    ),
    _P(
        "1.004194",
        "Đăng ký thường trú",
        "Đăng ký, quản lý cư trú",
        "Toàn trình",
        "Công an cấp xã",
        "07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "20.000 đồng/lần; nộp trực tuyến: 10.000 đồng/lần",
        ("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"),
        ("Luật Cư trú số 68/2020/QH14", "Nghị định số 62/2021/NĐ-CP", "Thông tư số 55/2021/TT-BCA"),
        "Thông tin cư trú được cập nhật trong Cơ sở dữ liệu về cư trú",
        number=106,
    ),
    _P(
        "2.001610",
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "Thành lập và hoạt động doanh nghiệp",
        "Toàn trình",
        "Sở Kế hoạch và Đầu tư (Phòng Đăng ký kinh doanh)",
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "50.000 đồng/lần; nộp hồ sơ trực tuyến: miễn lệ phí",
        ("Giấy đề nghị đăng ký doanh nghiệp tư nhân", "Bản sao giấy tờ pháp lý của chủ doanh nghiệp tư nhân"),
        ("Luật Doanh nghiệp số 59/2020/QH14", "Nghị định số 01/2021/NĐ-CP", "Thông tư số 47/2019/TT-BTC"),
        "Giấy chứng nhận đăng ký doanh nghiệp",
        applicants="Cá nhân",
        number=107,
    ),
    _P(
        "1.001612",
        "Đăng ký khai tử",
        "Hộ tịch",
        "Toàn trình",
        "Ủy ban nhân dân cấp xã",
        "Ngay trong ngày làm việc",
        "Miễn lệ phí",
        ("Tờ khai đăng ký khai tử theo mẫu", "Giấy báo tử hoặc giấy tờ thay thế giấy báo tử"),
        ("Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP"),
        "Trích lục khai tử",
        number=108,
    ),
    _P(
        "1.000656",
        "Cấp bản sao trích lục hộ tịch",
        "Hộ tịch",
        "Toàn trình",
        "Ủy ban nhân dân cấp xã",
        "Ngay trong ngày làm việc",
        "8.000 đồng/bản sao trích lục",
        ("Tờ khai cấp bản sao trích lục hộ tịch theo mẫu",),
        ("Luật Hộ tịch số 60/2014/QH13", "Thông tư số 281/2016/TT-BTC"),
        "Bản sao trích lục hộ tịch",
        number=109,
    ),
    _P(
        "1.004873",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đất đai",
        "Một phần",
        "Văn phòng đăng ký đất đai",
        "Không quá 20 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "Theo nghị quyết của Hội đồng nhân dân tỉnh",
        (
            "Đơn đăng ký, cấp Giấy chứng nhận theo mẫu",
            "Giấy tờ về quyền sử dụng đất (nếu có)",
            "Sơ đồ nhà ở, công trình xây dựng (nếu có)",
        ),
        ("Luật Đất đai số 31/2024/QH15", "Nghị định số 101/2024/NĐ-CP"),
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        applicants="Hộ gia đình, cá nhân, tổ chức",
        number=110,
    ),
    _P(
        "2.000908",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực",
        "Một phần",
        "Ủy ban nhân dân cấp xã; Phòng Tư pháp cấp huyện",
        "Trong ngày làm việc",
        "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang",
        ("Bản chính giấy tờ, văn bản cần chứng thực", "Bản sao cần chứng thực"),
        ("Nghị định số 23/2015/NĐ-CP", "Thông tư số 226/2016/TT-BTC"),
        "Bản sao được chứng thực từ bản chính",
        applicants="Cá nhân, tổ chức",
        number=111,
    ),
    _P(
        "1.001257",
        "Cấp hộ chiếu phổ thông ở trong nước",
        "Xuất nhập cảnh",
        "Toàn trình",
        "Phòng Quản lý xuất nhập cảnh, Công an tỉnh",
        "08 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "200.000 đồng/lần cấp",
        ("Tờ khai đề nghị cấp hộ chiếu (mẫu TK01)", "Ảnh chân dung mới chụp không quá 06 tháng"),
        ("Luật Xuất cảnh, nhập cảnh của công dân Việt Nam số 49/2019/QH14", "Thông tư số 25/2021/TT-BTC"),
        "Hộ chiếu phổ thông",
        number=112,
    ),
    _P(
        "1.005417",
        "Đăng ký xe mô tô, xe gắn máy lần đầu",
        "Đăng ký, quản lý phương tiện giao thông",
        "Toàn trình",
        "Công an cấp xã",
        "Cấp biển số ngay; cấp chứng nhận đăng ký xe không quá 02 ngày làm việc",
        "Từ 150.000 đồng đến 4.000.000 đồng tùy khu vực và giá trị xe",
        ("Giấy khai đăng ký xe", "Chứng từ nguồn gốc xe", "Chứng từ lệ phí trước bạ (dữ liệu điện tử)"),
        ("Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15", "Thông tư số 79/2024/TT-BCA"),
        "Chứng nhận đăng ký xe và biển số xe",
        number=113,
    ),
    _P(
        "1.003005",
        "Cấp giấy phép kinh doanh vận tải bằng xe ô tô",
        "Đường bộ",
        "Toàn trình",
        "Sở Giao thông vận tải",
        "05 ngày làm việc kể từ ngày nhận đủ hồ sơ",
        "200.000 đồng/giấy phép",
        ("Giấy đề nghị cấp giấy phép kinh doanh theo mẫu", "Phương án kinh doanh vận tải bằng xe ô tô"),
        ("Nghị định số 10/2020/NĐ-CP", "Nghị định số 41/2024/NĐ-CP"),
        "Giấy phép kinh doanh vận tải bằng xe ô tô",
        applicants="Doanh nghiệp, hợp tác xã, hộ kinh doanh",
        number=114,
    ),
    _P(
        "2.002160",
        "Giải quyết hưởng trợ cấp thất nghiệp",
        "Việc làm",
        "Một phần",
        "Trung tâm Dịch vụ việc làm",
        "20 ngày kể từ ngày nhận đủ hồ sơ",
        "Không",
        (
            "Đề nghị hưởng trợ cấp thất nghiệp theo mẫu",
            "Bản sao quyết định thôi việc hoặc hợp đồng lao động đã hết hạn",
            "Sổ bảo hiểm xã hội",
        ),
        ("Luật Việc làm số 38/2013/QH13", "Nghị định số 28/2015/NĐ-CP", "Nghị định số 61/2020/NĐ-CP"),
        "Quyết định về việc hưởng trợ cấp thất nghiệp",
        applicants="Người lao động",
        number=115,
    ),
    _P(
        "1.010938",
        "Cấp giấy phép môi trường cấp tỉnh",
        "Môi trường",
        "Một phần",
        "Sở Tài nguyên và Môi trường",
        "Không quá 30 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Theo nghị quyết của Hội đồng nhân dân tỉnh",
        ("Văn bản đề nghị cấp giấy phép môi trường", "Báo cáo đề xuất cấp giấy phép môi trường"),
        ("Luật Bảo vệ môi trường số 72/2020/QH14", "Nghị định số 08/2022/NĐ-CP"),
        "Giấy phép môi trường",
        applicants="Tổ chức, cá nhân có dự án đầu tư",
        number=116,
    ),
    _P(
        "1.008002",
        "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Bảo hiểm y tế",
        "Toàn trình",
        "Bảo hiểm xã hội cấp huyện",
        "05 ngày làm việc; liên thông với đăng ký khai sinh",
        "Miễn phí",
        ("Tờ khai tham gia bảo hiểm y tế (mẫu TK1-TS)",),
        ("Luật Bảo hiểm y tế số 25/2008/QH12", "Nghị định số 146/2018/NĐ-CP"),
        "Thẻ bảo hiểm y tế",
        applicants="Cha, mẹ hoặc người giám hộ của trẻ",
        number=117,
    ),
)

SECTORS: tuple[str, ...] = tuple(dict.fromkeys(p.sector for p in PROCEDURES))
LEVELS: tuple[str, ...] = ("Toàn trình", "Một phần")
PAGE_SIZE = 6


@dataclass(frozen=True)
class Article:
    slug: str
    number: int
    date: str
    title: str
    summary: str
    body: tuple[str, ...]


NEWS: tuple[Article, ...] = (
    Article(
        "trien-khai-dang-nhap-vneid",
        2101,
        "15/01/2024",
        "Triển khai đăng nhập bằng tài khoản định danh điện tử VNeID",
        "Người dân có thể dùng tài khoản VNeID mức độ 2 để đăng nhập và nộp hồ sơ trực tuyến.",
        (
            "Từ ngày 15/01/2024, Cổng Dịch vụ công hỗ trợ đăng nhập bằng tài khoản định danh điện tử VNeID do "
            "Bộ Công an cấp.",
            "Người dân không cần tạo thêm tài khoản riêng; thông tin cá nhân được điền sẵn vào tờ khai khi nộp hồ sơ.",
        ),
    ),
    Article(
        "huong-dan-nop-phi-le-phi-qua-paygov",
        2102,
        "02/02/2024",
        "Hướng dẫn thanh toán phí, lệ phí trực tuyến qua Nền tảng thanh toán",
        "Thanh toán bằng thẻ ngân hàng, ví điện tử hoặc mã QR ngay khi nộp hồ sơ.",
        (
            "Người nộp hồ sơ có thể thanh toán phí, lệ phí trực tuyến qua Nền tảng thanh toán trên Cổng Dịch vụ "
            "công quốc gia.",
            "Biên lai điện tử được gửi về tài khoản của người nộp sau khi thanh toán thành công.",
        ),
    ),
    Article(
        "cat-giam-thu-tuc-2024",
        2103,
        "20/03/2024",
        "Công bố danh mục thủ tục hành chính được cắt giảm, đơn giản hóa",
        "Nhiều thủ tục được rút ngắn thời hạn giải quyết và giảm thành phần hồ sơ.",
        (
            "Quyết định công bố danh mục thủ tục hành chính được cắt giảm, đơn giản hóa đã được ban hành.",
            "Thành phần hồ sơ được khai thác từ Cơ sở dữ liệu quốc gia về dân cư thay cho bản giấy.",
        ),
    ),
    Article(
        "lien-thong-khai-sinh-bhyt",
        2104,
        "08/04/2024",
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
        "Một lần nộp hồ sơ, nhận ba kết quả.",
        (
            "Nhóm thủ tục liên thông giúp cha mẹ chỉ cần khai một tờ khai điện tử duy nhất.",
            "Kết quả được trả về tài khoản trên Cổng và qua dịch vụ bưu chính công ích theo yêu cầu.",
        ),
    ),
    Article(
        "tong-ket-nam-2023",
        2105,
        "10/01/2024",
        "Tổng kết tình hình giải quyết hồ sơ thủ tục hành chính năm 2023",
        "Tỷ lệ hồ sơ giải quyết đúng hạn đạt trên 98%.",
        (
            "Trong năm 2023 đã tiếp nhận hơn 120.000 hồ sơ, trong đó 65% nộp trực tuyến.",
            "Tỷ lệ hồ sơ giải quyết đúng và trước hạn đạt 98,6%.",
        ),
    ),
    Article(
        "khao-sat-muc-do-hai-long",
        2106,
        "25/04/2024",
        "Khảo sát mức độ hài lòng của người dân, doanh nghiệp",
        "Mời người dân đánh giá chất lượng giải quyết thủ tục hành chính.",
        (
            "Người dân có thể đánh giá chất lượng dịch vụ sau khi nhận kết quả giải quyết hồ sơ.",
            "Các mức đánh giá: Rất hài lòng, Hài lòng, Không hài lòng.",
        ),
    ),
)

GUIDE_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Đăng nhập bằng tài khoản VNeID",
        "Chọn «Đăng nhập», sau đó chọn «Đăng nhập bằng VNeID» và xác thực trên ứng dụng VNeID.",
    ),
    (
        "Tìm thủ tục hành chính",
        "Nhập tên hoặc mã thủ tục (ví dụ: «khai sinh» hoặc «1.001193») vào ô tìm kiếm trên trang chủ.",
    ),
    (
        "Nộp hồ sơ trực tuyến",
        "Mở trang chi tiết thủ tục, chọn «Nộp hồ sơ trực tuyến», điền tờ khai điện tử và đính kèm giấy tờ.",
    ),
    ("Tra cứu hồ sơ", "Nhập mã hồ sơ in trên giấy tiếp nhận hồ sơ và hẹn trả kết quả tại trang «Tra cứu hồ sơ»."),
    ("Thanh toán trực tuyến", "Chọn hồ sơ cần thanh toán, chọn ngân hàng hoặc ví điện tử và xác nhận thanh toán."),
)

FAQ: tuple[tuple[str, str], ...] = (
    (
        "Tôi có thể nộp hồ sơ trực tuyến vào ngày nghỉ không?",
        "Có. Hệ thống tiếp nhận hồ sơ 24/7; hồ sơ nộp ngày nghỉ được xử lý từ ngày làm việc tiếp theo.",
    ),
    (
        "Làm sao biết hồ sơ của tôi đã được tiếp nhận?",
        "Hệ thống gửi thông báo kèm mã hồ sơ qua thư điện tử, tin nhắn và tài khoản trên Cổng.",
    ),
    ("Quên mã hồ sơ thì tra cứu thế nào?", "Đăng nhập tài khoản, vào mục «Quản lý hồ sơ» để xem toàn bộ hồ sơ đã nộp."),
    (
        "Có phải nộp bản giấy sau khi nộp trực tuyến không?",
        "Với dịch vụ công trực tuyến toàn trình, không phải nộp bản giấy.",
    ),
    (
        "Thanh toán lệ phí trực tuyến bằng cách nào?",
        "Bằng thẻ ngân hàng nội địa, thẻ quốc tế, ví điện tử hoặc mã QR qua Nền tảng thanh toán.",
    ),
    (
        "Tài khoản VNeID mức độ mấy thì dùng được?",
        "Tài khoản định danh điện tử mức độ 2 dùng được cho mọi dịch vụ công trực tuyến.",
    ),
)

# Dossier lookup: codes printed on the "giấy tiếp nhận hồ sơ và hẹn trả kết quả".
KNOWN_DOSSIERS: dict[str, dict[str, str]] = {
    "H01.23-240115-0001": {
        "status": "Đang xử lý",
        "procedure": "Đăng ký khai sinh",
        "received": "15/01/2024",
        "due": "16/01/2024",
        "step": "Đang thẩm định",
    },
    "H01.23-240110-0007": {
        "status": "Đã trả kết quả",
        "procedure": "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "received": "10/01/2024",
        "due": "24/01/2024",
        "step": "Đã trả kết quả",
    },
}
NOT_FOUND_TEXT = "Không tìm thấy hồ sơ"

HOTLINE = "1900 0368"


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form, so "khai sinh" finds "Đăng ký khai sinh" and vice versa."""
    text = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def search(query: str) -> list[Procedure]:
    words = fold(query).split()
    if not words:
        return []
    found = []
    for p in PROCEDURES:
        hay = fold(f"{p.name} {p.code} {p.sector}")
        if all(w in hay for w in words):
            found.append(p)
    return found


def filter_procedures(sector: str = "", level: str = "") -> list[Procedure]:
    return [p for p in PROCEDURES if (not sector or p.sector == sector) and (not level or p.level == level)]


def by_code(code: str) -> Procedure | None:
    return next((p for p in PROCEDURES if code in (p.code, p.hex_id, str(p.number), p.service_code)), None)


def article(key: str) -> Article | None:
    return next((a for a in NEWS if key in (a.slug, str(a.number))), None)


def lookup(code: str) -> dict[str, str] | None:
    return KNOWN_DOSSIERS.get(code.strip().upper())
