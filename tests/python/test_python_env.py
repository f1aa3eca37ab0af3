# A pure-Python Catch trains with Disco103 like the C++ Catch (issue: "any
# Python environment trainable with a discovered rule").
import json
import os
import threading

import disco
from pycatch import PyCatch

# Disco103's settings with a learner batch of 16 trajectories: on Catch 5x5
# both take off after ~300 learner steps and catch nearly every ball by ~450.
SETTINGS = {"batch_size": 16, "min_replay": 16, "log_every": 25}
STEPS = 500


def final_return(out):
    with open(os.path.join(out, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    last = [r["avg_return"] for r in rows if r["learner_step"] > STEPS - 75]
    return sum(last) / len(last), [round(r["avg_return"], 2) for r in rows]


def test_python_catch_learns_as_the_cpp_catch_does(tmp_path, need_weights):
    runs = {}

    def train(name, env):
        runs[name] = disco.train(rule="disco103", env=env, steps=STEPS, seed=0, out=tmp_path / name,
                                 settings=SETTINGS, threads=1)

    # Side by side: the C++ run holds no GIL, the Python one takes it per environment step.
    workers = [threading.Thread(target=train, args=("cpp", "catch(rows=5,columns=5)")),
               threading.Thread(target=train, args=("python", PyCatch))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    cpp, cpp_curve = final_return(runs["cpp"]["out"])
    python, python_curve = final_return(runs["python"]["out"])
    print("C++ Catch:", cpp_curve, "\nPython Catch:", python_curve)
    # A random policy scores about -0.6; both learn to catch nearly every ball.
    assert cpp > 0.8 and python > 0.8, (cpp_curve, python_curve)
    assert abs(cpp - python) < 0.15, (cpp_curve, python_curve)
