"""Images whose text alternative says nothing (WCAG 1.1.1): an alt that is a file name or a bare word like
"image" / "hình ảnh". axe's image-alt finds images with no alt at all; an alt that exists but is a file name
passes it."""

from __future__ import annotations

from .base import Check, CheckContext, CheckMeta, Node, js, nodes_of

ALT_MEANINGLESS = CheckMeta(
    id="ps-img-alt-meaningless",
    wcag=("1.1.1",),
    impact="serious",
    title_en="Image text alternatives must describe the image, not be a file name or a word like 'image'",
    title_vi="Văn bản thay thế của hình ảnh phải mô tả nội dung, không phải tên tệp hay từ chung chung như 'hình ảnh'",
    family="images",
)

# Whole alt texts that only say "this is an image" (compared lower-case, without diacritics).
GENERIC_ALTS = [
    "image", "img", "photo", "picture", "graphic", "icon", "banner", "untitled", "alt", "null", "spacer",
    "hinh", "hinh anh", "anh", "buc anh", "bieu tuong", "icon anh", "anh minh hoa", "hinh minh hoa",
]  # fmt: skip

_JS = js(r"""
const fold = (s) => psText(s).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd');
const generic = new Set(args.generic);
const out = [];
for (const el of document.querySelectorAll('img[alt], input[type=image][alt], [role=img][aria-label]')) {
  if (!psVisible(el) || el.closest('[aria-hidden=true]')) continue;
  const alt = psText(el.getAttribute('alt') ?? el.getAttribute('aria-label'));
  if (!alt) continue;
  const src = (el.getAttribute('src') || '').split(/[?#]/)[0];
  const file = decodeURIComponent(src.split('/').pop() || '');
  const f = fold(alt).replace(/[.:_\-\s]+$/, '');
  let why = '';
  if (/\.(jpe?g|png|gif|svg|webp|bmp|tiff?|ico)$/i.test(alt)) why = 'the alt text is a file name';
  else if (file && fold(alt) === fold(file.replace(/\.[a-z0-9]+$/i, ''))) why = 'the alt text repeats the file name';
  else if (/^(img|image|dsc|dscn|pict?|photo|screenshot|scan|anh|hinh)[\s_-]?\d+$/i.test(f)) why = 'the alt text is a camera or file number';
  else if (generic.has(f)) why = 'the alt text only says that this is an image';
  if (why) out.push(psNode(el, `${why}: "${alt.slice(0, 60)}"`));
}
return out;
""")


async def alt_meaningless(page, ctx: CheckContext) -> list[Node]:
    return nodes_of(await page.evaluate(_JS, {"generic": GENERIC_ALTS}))


CHECKS = (Check(ALT_MEANINGLESS, alt_meaningless),)
