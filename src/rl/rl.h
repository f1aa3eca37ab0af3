// The pure RL maths library, time-major [T, B, ...] tensors on any device:
// one include for users that need several topics.
#pragma once

#include "rl/batch_lookup.h"
#include "rl/distributions.h"
#include "rl/ema.h"
#include "rl/multistep.h"
#include "rl/policy_gradients.h"
#include "rl/transforms.h"
#include "rl/two_hot.h"
#include "rl/vtrace.h"
