"""Benchmark (not a test): from saving a template to the browser holding the
new page, on the bundled sample, with the release build.

    cargo build --release
    python3 benches/ban-lam-viec.py [LẦN]        # default 30 saves

Starts `target/release/khuyencong xem` on a free port over a private copy of
input/ and templates/, opens the report in headless Chromium (WebDriver,
selenium), then saves the template LẦN times, each with a new sentence,
and reads when the page applied the update (the page records Date.now()
as it swaps the new part in; the save time is taken just before writing
the file). Prints the median, the fastest and the slowest.
"""

import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "trinh-duyet"))
import ban_lam_viec as b  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    work = pathlib.Path(tempfile.mkdtemp(prefix="kc-do-ban-lam-viec-"))
    shutil.copytree(ROOT / "input", work / "input")
    shutil.copytree(ROOT / "templates", work / "templates")
    desk = subprocess.Popen(
        [
            str(ROOT / "target" / "release" / "khuyencong"),
            "xem",
            "--input", str(work / "input"),
            "--templates", str(work / "templates"),
            "--output", str(work / "output"),
            "--cong", "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = desk.stdout.readline()
        url = "http://" + line.split("http://")[1].split("/")[0]
        scratch = pathlib.Path(tempfile.mkdtemp(prefix="kc-do-trinh-duyet-"))
        for d in ("tai", "ho-so"):
            (scratch / d).mkdir()
        driver = b.browser(scratch / "tai", scratch / "ho-so")
        try:
            driver.get(url + "/")
            b.wait(driver, lambda d: "BÁO CÁO" in b.text(d))
            template = work / "templates" / "bao-cao.md"
            original = template.read_text(encoding="utf-8")
            took = []
            for i in range(rounds):
                sentence = f"Câu đo thứ {i} của văn thư."
                before = driver.execute_script("return window.kcCapNhat || 0")
                saved = time.time()
                template.write_text(original.replace("như sau:", "như sau. " + sentence, 1), encoding="utf-8")
                shown = b.wait(
                    driver,
                    lambda d: (d.execute_script("return window.kcCapNhat || 0") or 0) > before
                    and sentence in d.find_element(b.By.ID, "song").text
                    and d.execute_script("return window.kcCapNhat"),
                )
                if not shown:
                    b.fail(f"lần {i}: trang không cập nhật")
                took.append(shown - saved * 1000)
                time.sleep(0.3)
            took.sort()
            print(
                f"{rounds} lần lưu mẫu → trang mới trong trình duyệt: trung vị {statistics.median(took):.0f} ms, "
                f"nhanh nhất {took[0]:.0f} ms, chậm nhất {took[-1]:.0f} ms"
            )
        finally:
            driver.quit()
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        desk.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
