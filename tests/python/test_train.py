# disco.train: runs from Python, with callbacks, determinism, resume, Ctrl-C
# and errors.
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import disco

SMALL = {"net": {"dense": [32, 32], "lstm_size": 16, "model_head_hiddens": [16]},
         "batch_size": 8, "min_replay": 8, "replay_capacity": 64, "log_every": 5}


def rows_of(out):
    with open(os.path.join(out, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f]


def losses(rows):
    return [(r["learner_step"], r["total_loss"]) for r in rows]


def test_train_calls_back_per_row_and_writes_the_run(tmp_path, need_weights):
    seen = []
    run = disco.train(rule="disco103", env="catch(rows=5,columns=5)", steps=20, seed=0,
                      out=tmp_path / "run", settings=SMALL, on_log=seen.append, threads=1)
    assert run["learner_step"] == 20 and run["settings"]["net"]["dense"] == [32, 32]
    assert [r["learner_step"] for r in seen] == [5, 10, 15, 20]
    assert "total_loss" in seen[0] and "avg_return" in seen[0]
    assert losses(seen) == losses(rows_of(run["out"]))
    for f in ("settings.json", "checkpoint.npz", "metrics.csv", "learning_curve.png"):
        assert os.path.exists(os.path.join(run["out"], f)), f


def test_same_seed_same_run_and_resume_equals_uninterrupted(tmp_path, need_weights):
    args = dict(rule="disco103", env="catch(rows=5,columns=5)", seed=3, settings=SMALL, threads=1)
    a = disco.train(steps=20, out=tmp_path / "a", **args)
    b = disco.train(steps=10, out=tmp_path / "b", **args)
    b = disco.train(resume=b["out"], steps=20, threads=1)
    assert b["learner_step"] == 20
    assert losses(rows_of(a["out"])) == losses(rows_of(b["out"]))
    c = disco.train(steps=20, out=tmp_path / "c", **dict(args, seed=4))
    assert losses(rows_of(a["out"])) != losses(rows_of(c["out"]))


def test_hand_designed_rules_train_too(tmp_path):
    for rule in ("actor_critic", "ppo"):
        run = disco.train(rule=rule, env="catch(rows=5,columns=5)", steps=10, seed=0,
                          out=tmp_path / rule, settings={"log_every": 5}, threads=1)
        assert run["learner_step"] == 10


def test_a_callback_error_stops_with_a_checkpoint_and_is_raised(tmp_path, need_weights):
    def on_log(row):
        if row["learner_step"] >= 10:
            raise ArithmeticError("stop here")

    with pytest.raises(ArithmeticError, match="stop here"):
        disco.train(env="catch(rows=5,columns=5)", steps=40, out=tmp_path / "r", settings=SMALL,
                    on_log=on_log, threads=1)
    run = disco.train(resume=tmp_path / "r", threads=1)  # from the checkpoint at step 10
    assert run["learner_step"] == 40
    assert [r["learner_step"] for r in rows_of(run["out"])] == list(range(5, 45, 5))


def test_ctrl_c_stops_cleanly_with_a_checkpoint(tmp_path, need_weights):
    script = textwrap.dedent(f"""
        import os, signal, disco
        def on_log(row):
            if row["learner_step"] == 10:
                os.kill(os.getpid(), signal.SIGINT)
        try:
            disco.train(env="catch(rows=5,columns=5)", steps=1000, out={str(tmp_path / 'r')!r},
                        settings={SMALL!r}, on_log=on_log, threads=1)
        except KeyboardInterrupt:
            print("interrupted")
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "interrupted" in done.stdout
    assert "stopped at step 1" in done.stderr and "resume=" in done.stderr
    run = disco.train(resume=tmp_path / "r", steps=20, threads=1)
    assert run["learner_step"] == 20


def test_the_gil_is_released_while_training(tmp_path, need_weights):
    result = {}
    worker = threading.Thread(target=lambda: result.update(disco.train(
        env="catch(rows=5,columns=5)", steps=30, out=tmp_path / "r", settings=SMALL, threads=1)))
    count = 0
    worker.start()
    start = time.time()
    while worker.is_alive():
        count += 1
    elapsed = time.time() - start
    worker.join()
    assert result["learner_step"] == 30
    # With the GIL held through the run this loop would barely advance.
    assert count > 10000 * elapsed


def test_bad_input_raises_the_command_lines_messages(tmp_path):
    with pytest.raises(ValueError, match="unknown environment 'nope'"):
        disco.train(env="nope", steps=5, out=tmp_path / "a")
    with pytest.raises(ValueError, match="unknown rule 'disco7'"):
        disco.train(rule="disco7", steps=5, out=tmp_path / "b")
    with pytest.raises(ValueError, match="steps must be positive"):
        disco.train(steps=-1, out=tmp_path / "c")
    with pytest.raises(ValueError, match="unknown setting|unknown key|not a setting"):
        disco.train(steps=5, out=tmp_path / "d", settings={"bacth_size": 3})
    disco.train(rule="actor_critic", steps=5, out=tmp_path / "e", settings={"log_every": 5})
    with pytest.raises(ValueError, match="already holds a run"):
        disco.train(rule="actor_critic", steps=5, out=tmp_path / "e")
