# The examples of examples/python run, in their quick mode.
import os
import subprocess
import sys

from conftest import SOURCE


def run_example(name, *args, tmp_path):
    env = dict(os.environ, DISCO_EXAMPLE_QUICK="1", DISCO_EXAMPLE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, os.path.join(SOURCE, "examples", "python", name), *args],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_train_custom_env(tmp_path, need_weights):
    out = run_example("train_custom_env.py", "--steps", "20", "--out", str(tmp_path / "run"), tmp_path=tmp_path)
    assert "step    20" in out and "run folder:" in out


def test_walkthrough(tmp_path, need_weights):
    out = run_example("walkthrough.py", tmp_path=tmp_path)
    assert "minatar_breakout" in out and "learning curve:" in out and "report:" in out
