"""Fixtures for the integration tests: the tradeflow binary and a scratch working directory
holding a copy of the example pipeline, so each test gets its own ./lake."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def tradeflow_bin() -> Path:
    path = Path(os.environ.get("TRADEFLOW_BIN", REPO / "build" / "bin" / "tradeflow"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: build first (scripts/build.sh)")
    return path


class Workspace:
    """A folder with the example pipeline and input, where tradeflow runs with cwd = the folder."""

    def __init__(self, root: Path, binary: Path):
        self.root = root
        self.binary = binary
        shutil.copy(EXAMPLES / "etrm_pipeline.yaml", root / "etrm_pipeline.yaml")
        shutil.copy(EXAMPLES / "etrm_trades.csv", root / "etrm_trades.csv")
        shutil.copytree(EXAMPLES / "ref", root / "ref")
        for name in ("jsonl_pipeline.yaml", "etrm_trades.jsonl", "fixml_pipeline.yaml",
                     "exchange_trades.fixml"):
            shutil.copy(EXAMPLES / name, root / name)

    @property
    def catalog_path(self) -> Path:
        return self.root / "lake" / "catalog.db"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.binary), *args], cwd=self.root, capture_output=True, text=True,
            errors="replace", timeout=120,  # a file name that is not UTF-8 is printed as it is
        )

    def run_pipeline(self, pipeline: str = "etrm_pipeline.yaml") -> subprocess.CompletedProcess:
        return self.run("run", pipeline)

    def write_pipeline(self, name: str, replacements: dict, base: str = "etrm_pipeline.yaml") -> str:
        text = (self.root / base).read_text()
        for old, new in replacements.items():
            assert old in text, old
            text = text.replace(old, new)
        (self.root / name).write_text(text)
        return name

    def catalog(self):
        from pyiceberg.catalog.sql import SqlCatalog

        return SqlCatalog(
            "tradeflow",
            uri=f"sqlite:///{self.catalog_path}",
            warehouse=f"file://{self.root / 'lake'}",
        )

    def table(self):
        return self.catalog().load_table("trading.trade_events")


@pytest.fixture
def workspace(tmp_path, tradeflow_bin) -> Workspace:
    return Workspace(tmp_path, tradeflow_bin)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, tradeflow_bin) -> Workspace:
    """One successful run of the example pipeline, shared by read-only tests."""
    ws = Workspace(tmp_path_factory.mktemp("loaded"), tradeflow_bin)
    result = ws.run_pipeline()
    assert result.returncode == 0, result.stderr
    return ws
