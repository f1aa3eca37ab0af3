// Crafter traces to and from the golden file's JSON (crafter_trace.h).
//
// Header-only on nlohmann-json (itself header-only), so that the envs
// library compiles no JSON: only the programs that read or write trace files
// (the conformance test, `disco crafter-replay`) include this.
#pragma once

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "envs/crafter/crafter_trace.h"

namespace disco::crafter {

inline ObjectKind trace_object_kind(const std::string& name) {
  for (int k = 0; k < kNumObjectKinds; ++k) {
    if (name == object_kind_name(static_cast<ObjectKind>(k))) return static_cast<ObjectKind>(k);
  }
  throw std::invalid_argument("crafter trace: unknown object class '" + name + "'");
}

inline std::vector<TraceObject> trace_objects_from_json(const nlohmann::ordered_json& j) {
  std::vector<TraceObject> out;
  for (const auto& o : j) {
    const double health = o.at(3).get<double>();
    out.push_back({trace_object_kind(o.at(0).get<std::string>()), o.at(1).get<int>(),
                   o.at(2).get<int>(), static_cast<int>(std::lround(health))});
  }
  return out;
}

inline nlohmann::ordered_json trace_objects_to_json(const std::vector<TraceObject>& objects) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const TraceObject& o : objects) {
    out.push_back({object_kind_name(o.kind), o.x, o.y, static_cast<double>(o.health)});
  }
  return out;
}

// mat_map[x][y] <-> x-major bytes.
inline std::vector<uint8_t> mat_map_from_json(const nlohmann::ordered_json& j) {
  std::vector<uint8_t> out;
  const size_t side = j.size();
  for (const auto& column : j) {
    if (column.size() != side)
      throw std::invalid_argument("crafter trace: a map that is not square");
    for (const auto& id : column) out.push_back(id.get<uint8_t>());
  }
  return out;
}

inline nlohmann::ordered_json mat_map_to_json(const std::vector<uint8_t>& map) {
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(map.size()))));
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (int x = 0; x < side; ++x) {
    out.push_back(std::vector<int>(map.begin() + x * side, map.begin() + (x + 1) * side));
  }
  return out;
}

inline uint32_t achievements_from_json(const nlohmann::ordered_json& j) {
  uint32_t bits = 0;
  for (const auto& name : j) {
    int a = 0;
    while (a < kNumAchievements &&
           name.get<std::string>() != achievement_name(static_cast<Achievement>(a)))
      ++a;
    if (a == kNumAchievements) {
      throw std::invalid_argument("crafter trace: unknown achievement " + name.dump());
    }
    bits |= uint32_t{1} << a;
  }
  return bits;
}

inline nlohmann::ordered_json achievements_to_json(uint32_t bits) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (int a = 0; a < kNumAchievements; ++a) {
    if (bits >> a & 1) out.push_back(achievement_name(static_cast<Achievement>(a)));
  }
  return out;
}

inline Trace trace_from_json(const nlohmann::ordered_json& j) {
  Trace t;
  t.seed = j.at("seed").get<int64_t>();
  t.policy = j.at("policy").get<std::string>();
  if (j.contains("mat_map")) t.mat_map = mat_map_from_json(j.at("mat_map"));
  if (j.contains("objects")) t.objects = trace_objects_from_json(j.at("objects"));
  if (j.contains("steps")) {
    for (const auto& js : j.at("steps")) {
      TraceStep s;
      s.action = js.at("action").get<int>();
      if (!js.contains("reward")) {  // a trace that lists its actions only
        s.recorded = false;
        t.steps.push_back(s);
        continue;
      }
      s.reward = js.at("reward").get<double>();
      s.done = js.at("done").get<bool>();
      s.pos_x = js.at("pos").at(0).get<int>();
      s.pos_y = js.at("pos").at(1).get<int>();
      s.facing_x = js.at("facing").at(0).get<int>();
      s.facing_y = js.at("facing").at(1).get<int>();
      s.sleeping = js.at("sleeping").get<bool>();
      for (int i = 0; i < kNumItems; ++i) {
        s.inventory[i] = js.at("inventory").at(item_name(static_cast<Item>(i))).get<int32_t>();
      }
      s.achievements = achievements_from_json(js.at("achievements"));
      s.objects = trace_objects_from_json(js.at("objects"));
      s.mat_crc32 = js.at("mat_crc32").get<uint32_t>();
      t.steps.push_back(std::move(s));
    }
  }
  if (j.contains("exact_until")) t.exact_until = j.at("exact_until").get<int>();
  if (j.contains("final_mat_map")) t.final_mat_map = mat_map_from_json(j.at("final_mat_map"));
  if (j.contains("episode2_mat_map")) {
    t.episode2_mat_map = mat_map_from_json(j.at("episode2_mat_map"));
  }
  if (j.contains("episode2_objects")) {
    t.episode2_objects = trace_objects_from_json(j.at("episode2_objects"));
  }
  return t;
}

inline nlohmann::ordered_json trace_to_json(const Trace& t) {
  nlohmann::ordered_json j;
  j["seed"] = t.seed;
  j["policy"] = t.policy;
  nlohmann::ordered_json materials = nlohmann::ordered_json::array({nullptr});
  for (int m = 1; m < kNumMaterials; ++m)
    materials.push_back(material_name(static_cast<Material>(m)));
  j["materials"] = materials;
  j["mat_map"] = mat_map_to_json(t.mat_map);
  j["objects"] = trace_objects_to_json(t.objects);
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const TraceStep& s : t.steps) {
    nlohmann::ordered_json js;
    js["action"] = s.action;
    js["reward"] = std::round(s.reward * 1e6) / 1e6;
    js["done"] = s.done;
    js["pos"] = {s.pos_x, s.pos_y};
    js["facing"] = {s.facing_x, s.facing_y};
    js["sleeping"] = s.sleeping;
    nlohmann::ordered_json inventory;
    for (int i = 0; i < kNumItems; ++i) inventory[item_name(static_cast<Item>(i))] = s.inventory[i];
    js["inventory"] = inventory;
    js["achievements"] = achievements_to_json(s.achievements);
    js["objects"] = trace_objects_to_json(s.objects);
    js["mat_crc32"] = s.mat_crc32;
    steps.push_back(std::move(js));
  }
  j["steps"] = steps;
  j["exact_until"] = t.exact_until;
  j["final_mat_map"] = mat_map_to_json(t.final_mat_map);
  j["episode2_mat_map"] = mat_map_to_json(t.episode2_mat_map);
  j["episode2_objects"] = trace_objects_to_json(t.episode2_objects);
  return j;
}

// The actions a trace lists (empty when it has no steps).
inline std::vector<int> trace_actions(const Trace& t) {
  std::vector<int> actions;
  for (const TraceStep& s : t.steps) actions.push_back(s.action);
  return actions;
}

inline nlohmann::ordered_json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  try {
    return nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::ordered_json::exception& e) {
    throw std::runtime_error("'" + path + "' is not valid JSON: " + e.what());
  }
}

}  // namespace disco::crafter
