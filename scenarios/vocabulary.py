"""Words portals use for each function: data, not code. Add a synonym here when a portal needs one.

Sources: ../shared/reference/portal-patterns.md (OpenCPS bundles, national portal, ministry portals).
Matching is case-, tone-placement- and (for labels written without them) diacritic-insensitive
(see textmatch.py), so each wording is listed once, in its usual spelling.
"""

from __future__ import annotations

SEARCH_ENTRY = (
    "Tra cứu thủ tục",
    "Tra cứu thủ tục hành chính",
    "Tìm kiếm thủ tục",
    "Thủ tục hành chính",
    "Danh mục thủ tục",
    "Danh sách thủ tục hành chính",
    "Dịch vụ công trực tuyến",
)
# The procedure catalogue: the route to a procedure page that does not need the search (scenarios/routes.py).
CATALOGUE_ENTRY = (
    "Danh mục thủ tục hành chính",
    "Danh sách thủ tục hành chính",
    "Danh mục thủ tục",
    "Thủ tục hành chính",
    "Danh mục dịch vụ công",
    "Dịch vụ công trực tuyến",
)
SEARCH_INPUT = (
    "Nhập tên thủ tục",
    "Nhập tên thủ tục hành chính",
    "Nhập từ khóa",
    "Tìm kiếm theo tên thủ tục",
    "Tìm kiếm thủ tục",
    "Tìm kiếm",
    "Từ khóa",
    "Tên thủ tục",
    "Tra cứu thủ tục",
    "Search",
)
SEARCH_BUTTON = ("Tìm kiếm", "Tra cứu", "Tìm", "Search")
# Common procedures every portal lists; tried in order until a search gives results.
SEARCH_QUERIES = ("khai sinh", "giấy phép xây dựng", "lý lịch tư pháp", "đăng ký kết hôn", "hộ tịch")

PROCEDURE_FIELDS: dict[str, tuple[str, ...]] = {
    "thành phần hồ sơ": ("Thành phần hồ sơ", "Hồ sơ bao gồm", "Thành phần, số lượng hồ sơ"),
    "trình tự/cách thức thực hiện": (
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Cách thực hiện",
        "Quy trình thực hiện",
    ),
    "thời hạn giải quyết": ("Thời hạn giải quyết", "Thời gian giải quyết", "Thời gian xử lý"),
    "phí, lệ phí": ("Phí, lệ phí", "Lệ phí", "Phí", "Mức phí"),
    "cơ quan thực hiện": ("Cơ quan thực hiện", "Cơ quan giải quyết", "Cơ quan có thẩm quyền"),
    "căn cứ pháp lý": ("Căn cứ pháp lý", "Cơ sở pháp lý", "Văn bản pháp luật"),
}
SERVICE_LEVEL = (
    "Toàn trình",
    "Một phần",
    "Mức độ 4",
    "Mức độ 3",
    "Mức độ 2",
    "Dịch vụ công trực tuyến toàn trình",
    "Dịch vụ công trực tuyến một phần",
    "Dịch vụ cung cấp thông tin trực tuyến",
)

SUBMIT_ENTRY = (
    "Nộp hồ sơ trực tuyến",
    "Nộp hồ sơ",
    "Nộp trực tuyến",
    "Nộp hồ sơ không cần tài khoản",
    "Đăng ký trực tuyến",
    "Nộp hồ sơ dịch vụ công",
)
LOGIN = ("Đăng nhập", "Đăng nhập hệ thống", "Mật khẩu", "Tên đăng nhập", "Tài khoản")
NATIONAL_SSO = (
    "VNeID",
    "Định danh điện tử",
    "Cổng DVC Quốc gia",
    "Cổng dịch vụ công quốc gia",
    "Đăng nhập bằng VNeID",
    "Đăng nhập qua Cổng DVC Quốc gia",
    "Tài khoản Định danh điện tử",
)
# Hosts of the national single sign-on: a submission that leads there offers VNeID.
SSO_HOSTS = ("xacthuc.dichvucong.gov.vn", "sso.dancuquocgia.gov.vn", "vneid.gov.vn", "dichvucong.gov.vn")

LOOKUP_ENTRY = (
    "Tra cứu hồ sơ",
    "Tra cứu tình trạng hồ sơ",
    "Tra cứu kết quả",
    "Tra cứu kết quả hồ sơ",
    "Tình trạng hồ sơ",
    "Tra cứu thông tin hồ sơ",
    "Tra cứu tiến độ hồ sơ",
    "Tra cứu tiến độ",
)
LOOKUP_INPUT = (
    "Mã hồ sơ",
    "Mã số hồ sơ",
    "Nhập mã hồ sơ",
    "Số hồ sơ",
    "Mã biên nhận",
    "Số biên nhận",
    "Mã tra cứu",
    "Tra cứu hồ sơ",
)
LOOKUP_BUTTON = ("Tra cứu", "Tìm kiếm", "Tra cứu hồ sơ", "Tìm", "Xem")
# A synthetic code in the usual "H00.00-000000-0000" shape: never a real dossier.
LOOKUP_CODE = "H00.00-000000-0000"
NOT_FOUND = (
    "Không tìm thấy",
    "Không tìm thấy hồ sơ",
    "Không có dữ liệu",
    "Không có kết quả",
    "Không tồn tại",
    "Hồ sơ không tồn tại",
    "Không có hồ sơ",
    "Mã hồ sơ không đúng",
    "Mã hồ sơ không hợp lệ",
    "Chưa có dữ liệu",
    "Không tìm thấy kết quả",
    "0 kết quả",
    "No results",
    "Not found",
)
LOOKUP_RESULT = ("Trạng thái", "Tình trạng", "Ngày hẹn trả", "Tiến trình thụ lý", "Ngày tiếp nhận", "Kết quả tra cứu")
CAPTCHA = ("Mã bảo mật", "Mã xác nhận", "Mã kiểm tra", "captcha", "Nhập mã captcha")
ERROR_PAGE = (
    "Internal Server Error",
    "Lỗi hệ thống",
    "Đã có lỗi xảy ra",
    "Có lỗi xảy ra",
    "Service Unavailable",
    "Bad Gateway",
    "Server Error",
    "Exception",
    "Stack trace",
    "Lỗi máy chủ",
)

PAYMENT_ENTRY = (
    "Thanh toán trực tuyến",
    "Thanh toán phí, lệ phí",
    "Thanh toán phí lệ phí",
    "Thanh toán",
    "Thanh toán lệ phí",
    "Cổng thanh toán",
    "Thanh toán phí, lệ phí hồ sơ",
)
PAYMENT_PAGE = ("Thanh toán", "Phí", "Lệ phí", "Cổng thanh toán", "PayGov", "KeyPay", "Nền tảng thanh toán")

FEEDBACK_ENTRY = (
    "Phản ánh, kiến nghị",
    "Phản ánh kiến nghị",
    "Gửi phản ánh",
    "Gửi kiến nghị",
    "Hỏi đáp",
    "Gửi câu hỏi",
    "Đặt câu hỏi",
    "Góp ý",
    "Phản ánh",
)
FEEDBACK_HOSTS = ("pakn.dichvucong.gov.vn", "dichvucong.gov.vn")

HELP_ENTRY = (
    "Hướng dẫn",
    "Hướng dẫn sử dụng",
    "Hướng dẫn nộp hồ sơ",
    "Câu hỏi thường gặp",
    "Hỏi đáp",
    "Câu hỏi phổ biến",
    "Trợ giúp",
    "Hỗ trợ",
    "Xem hướng dẫn",
)
HOTLINE = ("Đường dây nóng", "Hotline", "Tổng đài", "Tổng đài hỗ trợ", "Điện thoại hỗ trợ", "Hỗ trợ kỹ thuật")
CHATBOT = ("Chatbot", "Trợ lý ảo", "Hỏi trợ lý ảo")

PRIVACY_ENTRY = (
    "Chính sách bảo vệ dữ liệu cá nhân",
    "Chính sách quyền riêng tư",
    "Bảo mật thông tin",
    "Chính sách bảo mật",
    "Bảo vệ dữ liệu cá nhân",
    "Quyền riêng tư",
    "Chính sách bảo mật thông tin",
)
PRIVACY_PAGE = ("dữ liệu cá nhân", "quyền riêng tư", "bảo mật thông tin", "bảo vệ dữ liệu", "thông tin cá nhân")

MENU_TOGGLE = ("Menu", "Danh mục", "Mở menu", "Điều hướng", "Toggle navigation", "☰")
SKIP_LINK = (
    "Bỏ qua",
    "Chuyển đến nội dung",
    "Chuyển đến nội dung chính",
    "Đi tới nội dung chính",
    "Bỏ qua điều hướng",
    "Skip to content",
    "Skip to main content",
    "Skip navigation",
)

# Last resort when no link or button names a function: paths portals commonly use (recorded as guessed).
GUESSED_PATHS: dict[str, tuple[str, ...]] = {
    "search_procedure": ("/thu-tuc-hanh-chinh", "/tra-cuu-thu-tuc", "/vi/procedure/search"),
    "dossier_lookup": ("/tra-cuu-ho-so", "#/tra-cuu-ho-so", "/p/home/dvc-tra-cuu-ho-so.html"),
    "online_payment": ("/thanh-toan-truc-tuyen", "/thanh-toan", "/p/home/dvc-thanh-toan-truc-tuyen.html"),
    "feedback": ("/phan-anh-kien-nghi", "/hoi-dap", "/p/home/dvc-phan-anh-kien-nghi.html"),
    "help": ("/huong-dan", "/cau-hoi-thuong-gap", "/hoi-dap"),
    "privacy": ("/chinh-sach-bao-ve-du-lieu-ca-nhan", "/chinh-sach-bao-mat", "/chinh-sach-quyen-rieng-tu", "/privacy"),
}
