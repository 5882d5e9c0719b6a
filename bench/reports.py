"""Report generation cost, package size and import time.

    .venv/bin/python bench/reports.py [--units 100] [--officials 1000] [--days 31]
                                      [--runs 2] [--import-runs 9] [--baseline /path/to/main]
                                      [--package] [--pdf out/bench-province.pdf]

1. Province report, every format (XLSX, PDF, a CSV per table, manifest), written to S3 and
   indexed, in-process on moto: N units and M officials with daily aggregates over a D-day
   month, loaded straight into the aggregate tables (no webhooks, no aggregation run). Prints
   wall time split into reads (KPI service), rendering and storage, for a cold run (first
   render: reportlab/xlsxwriter imported) and warm runs; the peak of Python allocations
   (tracemalloc, a separate run: it slows everything down) and the process's peak RSS (which
   also holds moto's copy of the data). --isolated also runs the generation in a process of
   its own against a moto *server* (as a Lambda talks to DynamoDB): that process's peak RSS
   is the report's own memory. Targets: < 10 s and < 300 MB.
2. Import time: `import app` and `import app; import chalicelib.services.ingestion` (the
   webhook path) in fresh processes, alternating with the same imports in --baseline (a
   checkout without the report routes) so machine noise hits both alike; and whether
   `python -X importtime -c "import app"` loads reportlab, xlsxwriter or the report service.
3. --package: `chalice package` deployment.zip size with and without the report dependencies
   (XlsxWriter, reportlab, pillow), each in a temporary copy of the repository (slow: pip).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    "STAGE": "bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
REPORT_DEPENDENCIES = ("xlsxwriter", "reportlab", "pillow")
HEAVY = ("reportlab", "xlsxwriter", "PIL", "chalicelib.services.reports", "chalicelib.reports")
MB = 1024 * 1024

DEPARTMENTS = [
    "Văn phòng UBND tỉnh",
    "Sở Nội vụ",
    "Sở Khoa học và Công nghệ",
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Tư pháp",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Ban Quản lý Khu kinh tế Vân Phong",
    "Sở Ngoại vụ",
    "Ban Dân tộc",
    "Sở Giao thông vận tải",
    "Đài Phát thanh và Truyền hình",
    "Trường Cao đẳng Y tế",
    "Ban Quản lý dự án",
]
COMMUNE_STEMS = [
    "Nha Trang",
    "Bắc Nha Trang",
    "Tây Nha Trang",
    "Nam Nha Trang",
    "Cam Ranh",
    "Ba Ngòi",
    "Cam Linh",
    "Ninh Hòa",
    "Đông Ninh Hòa",
    "Hòa Thắng",
    "Phan Rang",
    "Đông Hải",
    "Ninh Chử",
    "Bảo An",
    "Đô Vinh",
    "Vạn Ninh",
    "Đại Lãnh",
    "Tu Bông",
    "Vạn Thắng",
    "Vạn Hưng",
    "Diên Khánh",
    "Diên Điền",
    "Diên Lâm",
    "Suối Hiệp",
    "Cam Lâm",
    "Suối Dầu",
    "Cam An",
    "Khánh Vĩnh",
    "Bắc Khánh Vĩnh",
    "Trung Khánh Vĩnh",
    "Tây Khánh Vĩnh",
    "Khánh Sơn",
    "Tây Khánh Sơn",
    "Đông Khánh Sơn",
    "Bác Ái",
    "Bác Ái Đông",
    "Bác Ái Tây",
    "Ninh Sơn",
    "Lâm Sơn",
    "Anh Dũng",
    "Mỹ Sơn",
    "Ninh Phước",
    "Phước Hậu",
    "Phước Hữu",
    "Thuận Nam",
    "Cà Ná",
    "Phước Hà",
    "Công Hải",
    "Lợi Hải",
    "Thuận Bắc",
    "Xuân Hải",
    "Vĩnh Hải",
    "Ninh Hải",
    "Tân Định",
    "Cam Hiệp",
    "Nam Cam Ranh",
    "Hòa Trí",
    "Ninh Tây",
    "Ninh Phú",
    "Hòa Xuân",
    "Vạn Phú",
    "Ninh Lộc",
    "Phước Dinh",
    "Nhơn Hải",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Thị", "Văn", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc"]
GIVEN = ["Hương", "Lan", "Hùng", "Dũng", "Thảo", "Trang", "Phương", "Tuấn", "Hải", "Yến"]
CAMPAIGN_ID = "bench-2025"
MONTH_START = "2025-07-01"


def _env() -> None:
    os.environ.update(BENCH_ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)


# --- data ------------------------------------------------------------------------------------


def make_registry(n_units: int, n_officials: int) -> tuple[list[Any], list[Any]]:
    from chalicelib.domain.registry import OfficialRecord, UnitRecord

    root = UnitRecord("000.00.00.H34", "UBND tỉnh Khánh Hòa", "province", None)
    units = [root]
    n_departments = max(1, n_units // 5)
    n_divisions = max(0, n_units // 10)
    departments = [
        UnitRecord(
            f"000.00.{i + 1:02d}.H34",
            DEPARTMENTS[i % len(DEPARTMENTS)]
            + (f" {i // len(DEPARTMENTS) + 1}" if i >= 20 else ""),
            "department",
            root.unit_id,
        )
        for i in range(n_departments)
    ]
    units += departments
    for i in range(n_divisions):
        parent = departments[i % len(departments)]
        units.append(
            UnitRecord(
                f"000.{i + 1:02d}.{parent.unit_id[7:9]}.H34",
                f"Phòng {i + 1} ({parent.name})",
                "division",
                parent.unit_id,
            )
        )
    i = 0
    while len(units) < n_units:
        stem = COMMUNE_STEMS[i % len(COMMUNE_STEMS)]
        prefix = "UBND phường" if i % 3 == 0 else "UBND xã"
        suffix = f" {i // len(COMMUNE_STEMS) + 1}" if i >= len(COMMUNE_STEMS) else ""
        units.append(
            UnitRecord(
                f"000.00.{i + 1:03d}.K34", f"{prefix} {stem}{suffix}", "commune", root.unit_id
            )
        )
        i += 1
    rng = random.Random(5)
    officials = [
        OfficialRecord(
            f"cb-{k:05d}",
            units[k % len(units)].unit_id,
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            rng.choice(["Chuyên viên", "Văn thư", "Trưởng phòng", "Giám đốc", "Chủ tịch UBND"]),
            k % 40 != 0,
        )
        for k in range(n_officials)
    ]
    return units, officials


def load(
    n_units: int, n_officials: int, days: int, registry: tuple[list[Any], list[Any]] | None = None
) -> dict[str, Any]:
    """Registry, campaign and `days` days of aggregates, written straight to the tables.
    `registry`: (units, officials) records to use instead of `make_registry`'s."""
    import datetime as dt

    from chalicelib.domain import daily_counters
    from chalicelib.domain.campaigns import Campaign
    from chalicelib.services import registry as registry_service
    from chalicelib.storage import registry as registry_store
    from chalicelib.storage.models import (
        DailyAggregateModel,
        EvaluationModel,
        FreshnessModel,
        JobStateModel,
    )

    started = time.perf_counter()
    units, officials = registry or make_registry(n_units, n_officials)
    registry_store.put_units(units)
    registry_store.put_officials(officials)
    first = dt.date.fromisoformat(MONTH_START)
    last = first + dt.timedelta(days=days - 1)
    registry_service.save_campaign(
        Campaign(
            campaign_id=CAMPAIGN_ID,
            name="Ngày không in giấy (bench)",
            start_date=first,
            end_date=last,
        )
    )
    rng = random.Random(7)
    departments = [u for u in units if u.level in ("province", "department")]
    communes = [u for u in units if u.level == "commune"]
    counterparts = {
        c.unit_id: rng.sample(departments, k=min(2, len(departments))) for c in communes
    }
    items = 0
    with DailyAggregateModel.batch_write() as batch:
        for d in range(days):
            day = (first + dt.timedelta(days=d)).isoformat()
            for unit in units:
                if rng.random() < 0.08:
                    continue  # a day without events
                processed = rng.randint(5, 60)
                issued = rng.randint(0, 20)
                counters = {
                    daily_counters.PROCESSED_TOTAL: processed,
                    daily_counters.PROCESSED_ONLINE: processed - rng.randint(0, 2),
                    daily_counters.ISSUED_TOTAL: issued,
                    daily_counters.ISSUED_SIGNED_DIGITALLY: max(0, issued - rng.randint(0, 1)),
                    daily_counters.ISSUED_ONLINE: max(0, issued - rng.randint(0, 1)),
                    daily_counters.ON_TIME_TOTAL: processed // 2,
                    daily_counters.ON_TIME: processed // 2 - rng.randint(0, 1),
                    daily_counters.EXEMPT_TOTAL: rng.randint(0, 2),
                    daily_counters.PAPER_PAGES: rng.randint(0, 6),
                }
                if unit.level == "commune":
                    for other in counterparts[unit.unit_id]:
                        counters[
                            daily_counters.pair_counter(
                                other.unit_id, daily_counters.SENT_ELECTRONIC
                            )
                        ] = 1
                        counters[
                            daily_counters.pair_counter(
                                other.unit_id, daily_counters.RECEIVED_ELECTRONIC
                            )
                        ] = 1
                    counters[daily_counters.SENT_ELECTRONIC] = len(counterparts[unit.unit_id])
                    counters[daily_counters.RECEIVED_ELECTRONIC] = len(counterparts[unit.unit_id])
                batch.save(
                    DailyAggregateModel(
                        daily_counters.unit_scope(unit.unit_id),
                        day,
                        counters={k: v for k, v in counters.items() if v},
                    )
                )
                items += 1
            for official in officials:
                if rng.random() < 0.3:
                    continue
                processed = rng.randint(0, 8)
                counters = {
                    daily_counters.PROCESSED_TOTAL: processed,
                    daily_counters.PROCESSED_ONLINE: max(0, processed - rng.randint(0, 1)),
                    daily_counters.DIGITAL_SIGNATURES: rng.randint(0, 3),
                    daily_counters.ON_TIME_TOTAL: processed // 2,
                    daily_counters.ON_TIME: processed // 2,
                }
                batch.save(
                    DailyAggregateModel(
                        daily_counters.official_scope(official.official_id),
                        day,
                        counters={k: v for k, v in counters.items() if v},
                    )
                )
                items += 1
    month = first.strftime("%Y-%m")
    with EvaluationModel.batch_write() as batch:
        for official in officials:
            if rng.random() < 0.9:
                batch.save(
                    EvaluationModel(
                        official.official_id,
                        month,
                        record={
                            "official_id": official.official_id,
                            "period": month,
                            "score": rng.randint(60, 100),
                            "occurred_at": f"{last.isoformat()}T10:00:00+07:00",
                            "event_id": f"ev-{official.official_id}",
                        },
                    )
                )
    now = dt.datetime.now(dt.UTC)
    with FreshnessModel.batch_write() as batch:
        for unit in units:
            batch.save(
                FreshnessModel(
                    f"unit#{unit.unit_id}",
                    last_event_at=now - dt.timedelta(hours=rng.randint(1, 60)),
                )
            )
    JobStateModel("aggregate_kpi", as_of=now).save()
    return {
        "units": len(units),
        "officials": len(officials),
        "days": days,
        "daily_items": items,
        "load_seconds": round(time.perf_counter() - started, 1),
        "from": first,
        "to": last,
    }


# --- 1. generation -----------------------------------------------------------------------------


def generate_once(first: Any, last: Any) -> dict[str, Any]:
    from chalicelib.reports import render_all
    from chalicelib.services import registry as registry_service
    from chalicelib.services import reports
    from chalicelib.services.report_content import ReportContext

    campaign = registry_service.get_campaign(CAMPAIGN_ID)
    cpu = time.process_time()
    started = time.perf_counter()
    ctx = ReportContext.load(campaign, first, last)
    ctx, content = reports.build(ctx, "province", "campaign")
    built = time.perf_counter()
    item = reports.generate(ctx, "province", "campaign", trigger="bench", content=content)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    # rendering alone, for the split (same document, not stored)
    doc = content.document(
        report_id=item.report_id,
        campaign=campaign,
        period=ctx.period,
        as_of=item.as_of or item.created_at,
        generated_at=item.created_at,
    )
    t0 = time.perf_counter()
    files = render_all(doc, "vi")
    render = time.perf_counter() - t0
    sizes = {name: len(body) for name, (body, _ct) in files.items()}
    return {
        "report_id": item.report_id,
        "total_s": round(done - started, 2),
        "cpu_s": round(cpu, 2),
        "reads_s": round(built - started, 2),
        "render_s": round(render, 2),
        "store_s": round(max(0.0, (done - built) - render), 2),
        "files": len(files) + 1,
        "pdf_bytes": sizes.get("report.pdf", 0),
        "xlsx_bytes": sizes.get("report.xlsx", 0),
        "csv_bytes": sum(v for k, v in sizes.items() if k.startswith("csv/")),
    }


def bench_generation(args: argparse.Namespace) -> dict[str, Any]:
    _env()
    from moto import mock_aws

    from scripts.moto_patches import install

    install()
    with mock_aws():
        from chalicelib.storage.setup import create_all

        create_all()
        data = load(args.units, args.officials, args.days)
        rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        runs = [generate_once(data["from"], data["to"]) for _ in range(args.runs)]
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        generate_once(data["from"], data["to"])
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if args.pdf:
            from chalicelib.storage import reports as report_store

            item = report_store.get(runs[-1]["report_id"])
            assert item is not None
            out = Path(args.pdf)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(report_store.get_file(item.prefix + "report.pdf"))
            (out.with_suffix(".xlsx")).write_bytes(
                report_store.get_file(item.prefix + "report.xlsx")
            )
    return {
        "data": {k: v for k, v in data.items() if k not in ("from", "to")},
        "runs": runs,
        "python_alloc_peak_mb": round(traced_peak / MB, 1),
        "rss_after_load_mb": round(rss_loaded, 1),
        "rss_peak_mb": round(rss_peak, 1),
    }


def _worker(args: argparse.Namespace) -> None:
    """Child process of --isolated: load the data, or generate once and print the figures."""
    import datetime as dt

    from chalicelib.storage.setup import create_all

    if args.worker == "load":
        create_all()
        data = load(args.units, args.officials, args.days)
        print(json.dumps({k: str(v) for k, v in data.items()}))
        return
    first = dt.date.fromisoformat(MONTH_START)
    run = generate_once(first, first + dt.timedelta(days=args.days - 1))
    run["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(run))


def _peak_rss_mb() -> float:
    """This process image's peak RSS. VmHWM starts afresh at exec; ru_maxrss would still
    count the parent's pages the child had right after fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_isolated(args: argparse.Namespace) -> dict[str, Any]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        **BENCH_ENV,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts.moto_server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        base = [sys.executable, str(Path(__file__).resolve())]
        sizes = ["--units", str(args.units), "--officials", str(args.officials)]
        sizes += ["--days", str(args.days)]

        def child(kind: str) -> dict[str, Any]:
            out = subprocess.run(
                [*base, "--worker", kind, *sizes],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return dict(json.loads(out.stdout.strip().splitlines()[-1]))

        child("load")
        return {"run 1": child("generate"), "run 2": child("generate")}
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- 2. import time ---------------------------------------------------------------------------


def _import_ms(tree: Path, snippet: str) -> float:
    code = f"import time; t0 = time.perf_counter(); {snippet}; print(time.perf_counter() - t0)"
    env = {**os.environ, **BENCH_ENV, "STAGE": "prod"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def _importtime_modules(tree: Path, snippet: str) -> list[str]:
    env = {**os.environ, **BENCH_ENV, "STAGE": "prod"}
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", snippet],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = []
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.append(line.rsplit("|", 1)[-1].strip())
    return modules


def bench_imports(args: argparse.Namespace) -> dict[str, Any]:
    cases = {
        "app": "import app",
        "webhook path": "import app; import chalicelib.services.ingestion",
    }
    trees = {"this": ROOT}
    if args.baseline:
        trees["baseline"] = Path(args.baseline).resolve()
    for tree in trees.values():  # warm bytecode caches
        for snippet in cases.values():
            _import_ms(tree, snippet)
    samples: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in cases}
    for _ in range(args.import_runs):
        for case, snippet in cases.items():
            for name, tree in trees.items():
                samples[(name, case)].append(_import_ms(tree, snippet))
    loaded = _importtime_modules(ROOT, "import app")
    heavy = sorted({m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)})
    return {
        "median_ms": {f"{t}: {c}": round(statistics.median(v), 1) for (t, c), v in samples.items()},
        "heavy_modules_loaded_by_import_app": heavy,
        "reports_api_module_loaded": "chalicelib.api.reports" in loaded,
    }


# --- 3. package size ------------------------------------------------------------------------


def _copy_repo(target: Path, drop_report_deps: bool) -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in files:
        if name.startswith(("tests/", "infra/", "docs/", "bench/")):
            continue
        source = ROOT / name
        if not source.is_file():
            continue
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    if drop_report_deps:
        requirements = target / "requirements.txt"
        kept = [
            line
            for line in requirements.read_text(encoding="utf-8").splitlines()
            if line.split("==")[0].strip().lower() not in REPORT_DEPENDENCIES
        ]
        requirements.write_text("\n".join(kept) + "\n", encoding="utf-8")


def bench_package() -> dict[str, Any]:
    from bench import package_size

    out: dict[str, Any] = {}
    for label, drop in (("without report dependencies", True), ("with report dependencies", False)):
        with tempfile.TemporaryDirectory(prefix="kg-pkg-") as tmp:
            tree = Path(tmp)
            _copy_repo(tree, drop)
            package_size.REPO = tree  # measure() packages REPO
            result = package_size.measure("prod")
            out[label] = {
                "zipped_mb": round(int(str(result["zipped_bytes"])) / MB, 1),
                "unzipped_mb": round(int(str(result["unzipped_bytes"])) / MB, 1),
                "files": result["files"],
            }
    package_size.REPO = ROOT
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--officials", type=int, default=1000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--runs", type=int, default=2, help="timed runs (the first is cold)")
    parser.add_argument("--import-runs", type=int, default=9)
    parser.add_argument("--baseline", help="a checkout to compare import times with (e.g. main)")
    parser.add_argument("--package", action="store_true", help="also measure chalice package")
    parser.add_argument("--pdf", help="write the generated PDF (and XLSX beside it) here")
    parser.add_argument(
        "--isolated", action="store_true", help="also measure the generator in its own process"
    )
    parser.add_argument("--worker", choices=("load", "generate"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    results: dict[str, Any] = {"generation": bench_generation(args)}
    if args.isolated:
        results["isolated"] = bench_isolated(args)
    results["imports"] = bench_imports(args)
    if args.package:
        results["package"] = bench_package()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        return
    gen = results["generation"]
    d = gen["data"]
    print(
        f"Province report: {d['units']} units, {d['officials']} officials, {d['days']} days "
        f"({d['daily_items']} daily items loaded in {d['load_seconds']} s)"
    )
    for i, run in enumerate(gen["runs"]):
        kind = "cold" if i == 0 else "warm"
        print(
            f"  run {i + 1} ({kind}): {run['total_s']:.2f} s total (CPU {run['cpu_s']:.2f} s) = "
            f"reads {run['reads_s']:.2f} s "
            f"+ render {run['render_s']:.2f} s + store {run['store_s']:.2f} s; {run['files']} files, "
            f"PDF {run['pdf_bytes'] / 1024:.0f} KB, XLSX {run['xlsx_bytes'] / 1024:.0f} KB, "
            f"CSV {run['csv_bytes'] / 1024:.0f} KB"
        )
    print(
        f"  memory: Python allocations peak {gen['python_alloc_peak_mb']} MB (tracemalloc, one "
        f"generation); process peak RSS {gen['rss_peak_mb']} MB (after loading the data into "
        f"moto: {gen['rss_after_load_mb']} MB)"
    )
    if "isolated" in results:
        print("Generator in its own process, moto as a server (HTTP), as in Lambda:")
        for kind, run in results["isolated"].items():
            print(
                f"  {kind} (fresh process): {run['total_s']:.2f} s (CPU {run['cpu_s']:.2f} s), "
                f"peak RSS {run['peak_rss_mb']} MB"
            )
    imp = results["imports"]
    print("Import time (median of fresh processes, ms):")
    for name, value in imp["median_ms"].items():
        print(f"  {name:<28} {value:8.1f}")
    print(
        f"  `import app` loads report libraries: {imp['heavy_modules_loaded_by_import_app'] or 'none'}"
    )
    if "package" in results:
        print("chalice package deployment.zip:")
        for label, size in results["package"].items():
            print(
                f"  {label:<30} {size['zipped_mb']:6.1f} MB zipped, {size['unzipped_mb']:6.1f} MB unzipped, {size['files']} files"
            )


if __name__ == "__main__":
    main()
