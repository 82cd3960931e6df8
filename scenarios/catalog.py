"""The scenario catalogue: ids (scored by the criteria, keep them stable), titles, and profiles, in
the order of issue 4."""

from __future__ import annotations

from .journey import Scenario
from .journeys import (
    dossier_lookup,
    feedback,
    help,
    home,
    online_payment,
    online_submission,
    privacy,
    procedure_detail,
    search_procedure,
)
from .keyboard import keyboard
from .mobile import mobile

SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario(
            "home",
            "Trang chủ truy cập được, có tiêu đề, điều hướng và ô tìm kiếm",
            home,
            title_en="Home page reachable, with title, navigation and search",
        ),
        Scenario(
            "search_procedure",
            "Tìm một thủ tục hành chính và mở kết quả",
            search_procedure,
            title_en="Find a procedure and open a result",
        ),
        Scenario(
            "procedure_detail",
            "Trang thủ tục có đủ thông tin bắt buộc",
            procedure_detail,
            title_en="Procedure page has the required information",
        ),
        Scenario(
            "online_submission",
            "Nộp hồ sơ trực tuyến dẫn đến đăng nhập, có VNeID",
            online_submission,
            title_en="Online submission leads to sign-in with VNeID",
        ),
        Scenario(
            "dossier_lookup",
            "Tra cứu hồ sơ trả lời kết quả hoặc thông báo không tìm thấy",
            dossier_lookup,
            title_en="Dossier lookup answers with a result or a clear not-found",
        ),
        Scenario(
            "online_payment",
            "Thanh toán trực tuyến có và truy cập được",
            online_payment,
            title_en="Online payment offered and reachable",
        ),
        Scenario("feedback", "Kênh phản ánh, kiến nghị truy cập được", feedback, title_en="Feedback channel reachable"),
        Scenario(
            "help",
            "Hướng dẫn, câu hỏi thường gặp hoặc đường dây nóng",
            help,
            title_en="Guide, FAQ, hotline or chatbot reachable",
        ),
        Scenario("mobile", "Dùng được trên điện thoại", mobile, profile="mobile", title_en="Usable on a phone"),
        Scenario("keyboard", "Dùng được bằng bàn phím", keyboard, title_en="Usable with the keyboard"),
        Scenario(
            "privacy",
            "Có chính sách bảo vệ dữ liệu cá nhân",
            privacy,
            title_en="Personal-data protection policy published",
        ),
    )
}
