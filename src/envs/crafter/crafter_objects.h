// The objects of Crafter and how each updates once per step (the original's
// `objects.py`): the player acting on its action, cows wandering, zombies
// chasing and hitting, skeletons keeping their distance and shooting, arrows
// flying, plants growing. Every random decision draws from the world's
// generator in the original's order (../shared/crafter_spec.md sections 6-8).
#pragma once

#include "envs/crafter/crafter_world.h"

namespace disco::crafter {

// New objects as the original's constructors make them.
Object make_player(int x, int y);
Object make_cow(int x, int y);
Object make_zombie(int x, int y);
Object make_skeleton(int x, int y);
Object make_arrow(int x, int y, int facing_x, int facing_y);
Object make_plant(int x, int y);

// A plant is ripe (eating it gives food) after 300 updates.
inline bool plant_ripe(const Object& plant) { return plant.counter > 300; }

// The player's update (slot 0) with the chosen action.
void update_player(World& world, Action action);
// The update of any other object.
void update_object(World& world, int slot);

}  // namespace disco::crafter
