"""The desk in a real browser: Chromium driven through WebDriver (selenium,
chromedriver named explicitly so that nothing is ever downloaded).

Run by `tests/desk.rs` against a desk it started on a free port over a
private folder holding `input/`, `templates/`, `sai.xlsx` (a form with a
wrong amount) and `dung.xlsx` (the same form, right), and `vi-tri.json`
(where the PDF puts the spans of its first pages). Exits non-zero, saying
what failed, at the first check that does not hold.

With KC_ANH=1 the screenshots of the four pages are written to docs/hinh/
(otherwise nowhere: a test run leaves the repository as it was).
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SENTENCE = "Câu mới văn thư vừa thêm vào mẫu để thử trang xem trực tiếp."


def fail(message):
    print(f"KIỂM THỬ TRÌNH DUYỆT THẤT BẠI: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def browser(downloads, profile):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1100",
        "--lang=vi",
    ]:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
        },
    )
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(downloads)},
    )
    return driver


def wait(driver, what, seconds=10):
    """What `what` returns once it is true, or None after `seconds`. A page
    being replaced meanwhile (a form sent, a link followed) is asked again."""

    def ask(d):
        try:
            return what(d)
        except Exception:
            return False

    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05).until(ask)
    except Exception:
        return None


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def screenshot(driver, name):
    if os.environ.get("KC_ANH") != "1":
        return
    target = ROOT / "docs" / "hinh" / f"ban-lam-viec-{name}.png"
    driver.save_screenshot(str(target))
    print(f"đã ghi {target.relative_to(ROOT)}")


MEASURE = """
const expected = arguments[0], done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const pages = document.querySelectorAll('.trang');
  const out = [];
  const seen = {};
  for (const e of expected) {
    const page = pages[e.trang - 1];
    const spans = page.querySelectorAll(':scope > span.s');
    const k = seen[e.trang] || 0;
    seen[e.trang] = k + 1;
    const span = spans[k];
    if (!span) { out.push({chu: e.chu, thieu: true}); continue; }
    const p = page.getBoundingClientRect();
    const r = span.getBoundingClientRect();
    const probe = document.createElement('i');
    probe.style.cssText = 'display:inline-block;width:0;height:0';
    span.appendChild(probe);
    const base = probe.getBoundingClientRect().bottom;
    span.removeChild(probe);
    out.push({
      chu: span.textContent, mong: e.chu,
      dx: (r.left - p.left) * 0.75 - e.x,
      dd: (base - p.top) * 0.75 - e.dong,
      dr: r.width * 0.75 - e.rong,
    });
  }
  done(out);
});
"""


DROP = """
const files = new DataTransfer();
files.items.add(new File([new Uint8Array([80, 75, 3, 4])], 'keo-tha.xlsx'));
const zone = document.querySelector('.tha');
zone.dispatchEvent(new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
return [zone.querySelector('input').files.length, zone.querySelector('span').textContent];
"""


def check_positions(driver, expected):
    """Every span of the first pages where the PDF puts it: x, baseline and
    drawn width (justification included), in points."""
    found = driver.execute_async_script(MEASURE, expected)
    check(len(found) == len(expected), "số đoạn chữ khác bố cục PDF")
    worst = {"dx": 0.0, "dd": 0.0, "dr": 0.0}
    for f in found:
        check(not f.get("thieu"), f"thiếu đoạn chữ “{f['chu']}” trên trang")
        check(f["chu"] == f["mong"], f"đoạn chữ “{f['chu']}” thay vì “{f['mong']}”")
        for key in worst:
            worst[key] = max(worst[key], abs(f[key]))
    print(
        f"{len(found)} đoạn chữ của 2 trang đầu: lệch tối đa x {worst['dx']:.3f} pt, "
        f"đường chân chữ {worst['dd']:.3f} pt, bề rộng {worst['dr']:.3f} pt"
    )
    check(worst["dx"] <= 0.5, f"vị trí ngang lệch {worst['dx']:.2f} pt so với PDF")
    check(worst["dd"] <= 0.5, f"đường chân chữ lệch {worst['dd']:.2f} pt so với PDF")
    check(worst["dr"] <= 0.75, f"bề rộng chữ lệch {worst['dr']:.2f} pt so với PDF")


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--url", required=True)
    args.add_argument("--thu-muc", required=True, type=pathlib.Path)
    args.add_argument("--o", required=True, help="ô của số tiền sai, ví dụ Hoạt động!L3")
    args.add_argument("--don-vi", required=True)
    a = args.parse_args()
    folder = a.thu_muc
    template = folder / "templates" / "bao-cao.md"
    good_template = template.read_text(encoding="utf-8")
    downloads = pathlib.Path(tempfile.mkdtemp(prefix="kc-tai-"))
    profile = tempfile.mkdtemp(prefix="kc-chromium-")
    driver = browser(downloads, profile)
    try:
        # 1. The report, where the PDF puts it.
        driver.get(a.url + "/")
        check(wait(driver, lambda d: "BÁO CÁO" in text(d)), "trang / không có “BÁO CÁO”")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".trang")) >= 2, "không có trang")
        check_positions(driver, json.loads((folder / "vi-tri.json").read_text(encoding="utf-8")))
        screenshot(driver, "bao-cao")

        # 2. A sentence saved into the template appears without a reload,
        # where the reader was.
        driver.execute_script("window.scrollTo(0, 1500); window.kcCungTrang = true;")
        y = driver.execute_script("return window.scrollY")
        check(y >= 1400, "không cuộn được trang")
        saved = time.time()
        template.write_text(
            good_template.replace("như sau:", "như sau. " + SENTENCE, 1), encoding="utf-8"
        )
        check(wait(driver, lambda d: SENTENCE in text(d)), "câu mới không hiện ra sau khi lưu mẫu")
        shown = driver.execute_script("return window.kcCapNhat") / 1000
        print(f"lưu mẫu → trang cập nhật: {1000 * (shown - saved):.0f} ms")
        check(driver.execute_script("return window.kcCungTrang === true"), "trang đã bị tải lại")
        check(
            abs(driver.execute_script("return window.scrollY") - y) <= 2,
            "vị trí cuộn không được giữ",
        )

        # 3. A broken template: the error with its line and a mark, the last
        # good preview kept.
        lines = good_template.replace("như sau:", "như sau. " + SENTENCE, 1).split("\n")
        broken_line = lines.index("# KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG THEO KẾ HOẠCH") + 1
        lines.insert(broken_line - 1, "Năm {{ nam | khong_co_bo_loc }}.")
        template.write_text("\n".join(lines), encoding="utf-8")
        box = wait(driver, lambda d: d.find_elements(By.ID, "loi"))
        check(box, "lỗi của mẫu không hiện ra")
        errors = box[0].text
        check(f"bao-cao.md:{broken_line}:" in errors, f"lỗi không nêu dòng {broken_line}: {errors}")
        check("khong_co_bo_loc" in errors, f"lỗi không nêu bộ lọc sai: {errors}")
        check("KC061" in errors, f"lỗi không có mã: {errors}")
        mark = driver.find_elements(By.CSS_SELECTOR, "#loi pre.trich .dau-mu")
        check(mark, "không có dòng của mẫu với dấu chỉ chỗ sai")
        check(SENTENCE in text(driver), "bản xem tốt gần nhất không được giữ")
        check(driver.execute_script("return window.kcCungTrang === true"), "trang đã bị tải lại")
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver, "bao-cao-loi")
        template.write_text(
            good_template.replace("như sau:", "như sau. " + SENTENCE, 1), encoding="utf-8"
        )
        check(
            wait(driver, lambda d: not d.find_elements(By.ID, "loi")),
            "lỗi không mất sau khi sửa mẫu",
        )

        # 4. Units: the unit without a report, then its forms received.
        row = f"tr[data-ma='{a.don_vi}']"
        driver.get(a.url + "/don-vi")
        check("chưa nộp" in driver.find_element(By.CSS_SELECTOR, row).text, "đơn vị không ở trạng thái chưa nộp")
        driver.get(a.url + "/nhan")
        # A form dropped on the zone fills the field (what a clerk does
        # from the file manager).
        dropped = driver.execute_script(DROP)
        check(dropped == [1, "Đã chọn: keo-tha.xlsx"], f"thả tệp vào khung không chọn được tệp: {dropped}")
        driver.get(a.url + "/nhan")
        driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(folder / "sai.xlsx"))
        driver.find_element(By.CSS_SELECTOR, "form.nhan button").click()
        result = wait(driver, lambda d: d.find_elements(By.ID, "ket-qua"))
        check(result, "không có kết quả nhận biểu mẫu: " + driver.current_url + " " + text(driver)[:600])
        said = result[0].text
        check(a.o in said and "KC020" in said, f"không nêu ô {a.o} có số tiền sai: {said}")
        check("Không nhập biểu mẫu nào" in said, said)
        screenshot(driver, "nhan")
        driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(folder / "dung.xlsx"))
        driver.find_element(By.CSS_SELECTOR, "form.nhan button").click()
        check(
            wait(driver, lambda d: "Đã nhập" in text(d)),
            f"biểu mẫu đúng không được nhập: {text(driver)}",
        )
        driver.find_element(By.LINK_TEXT, "Xem tình trạng các đơn vị").click()
        check(
            wait(driver, lambda d: "đã nộp" in d.find_element(By.CSS_SELECTOR, row).text),
            "đơn vị không chuyển sang đã nộp",
        )
        screenshot(driver, "don-vi")

        # 5. The report built, its PDF downloaded and read.
        driver.get(a.url + "/tao")
        driver.find_element(By.CSS_SELECTOR, "form.tao button").click()
        check(
            wait(driver, lambda d: "Đã tạo báo cáo" in text(d), 60),
            f"không tạo được báo cáo: {text(driver)}",
        )
        screenshot(driver, "tao")
        driver.find_element(By.CSS_SELECTOR, "a[href$='.pdf']").click()
        pdf = wait(
            driver,
            lambda d: [p for p in downloads.glob("*.pdf") if p.stat().st_size > 0],
            30,
        )
        check(pdf, "không tải được tệp PDF")
        time.sleep(0.2)
        read = subprocess.run(
            ["pdftotext", "-layout", str(pdf[0]), "-"], capture_output=True, text=True, check=True
        ).stdout
        flat = " ".join(read.split())
        check("BÁO CÁO" in flat, "PDF tải về không có “BÁO CÁO”")
        check(" ".join(SENTENCE.split()[:6]) in flat, "PDF tải về không có câu mới của mẫu")
        check("Cẩm Mỹ" in flat, "PDF tải về không có đơn vị vừa nhận biểu mẫu")
        print("trình duyệt: mọi bước đều đạt")
    finally:
        driver.quit()
        shutil.rmtree(downloads, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
