#include "subagents/history/risk_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"

namespace reviewer::history {

namespace {

// Counts are heavy-tailed: the model sees log1p of them. Flags and shares
// are used as they are.
bool is_count(int f) {
  return f != kFix && f != kFixShare && f != kTouchesCode && f != kEntropy && f != kAuthorBugShare &&
         f != kFileBugShare;
}

double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// Solves A x = b for a symmetric positive definite A (Cholesky); A is
// small (features + 1), so nothing fancier is needed.
std::vector<double> solve_spd(std::vector<double> a, std::vector<double> b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (d <= 1e-12) throw Error(Error::Code::internal, "risk model: singular system");
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return b;
}

double raw_input(const FeatureVector& x, int f) {
  const double v = std::max(0.0, static_cast<double>(x[static_cast<std::size_t>(f)]));
  return is_count(f) ? std::log1p(v) : v;
}

}  // namespace

std::array<double, kFeatureCount> RiskModel::standardise(const FeatureVector& x) const {
  std::array<double, kFeatureCount> z{};
  for (int f = 0; f < kFeatureCount; ++f) {
    const auto i = static_cast<std::size_t>(f);
    z[i] = scale[i] > 0 ? (raw_input(x, f) - mean[i]) / scale[i] : 0.0;
  }
  return z;
}

double RiskModel::probability(const FeatureVector& x) const {
  const auto z = standardise(x);
  double s = bias;
  for (std::size_t i = 0; i < z.size(); ++i) s += weight[i] * z[i];
  return sigmoid(s);
}

std::array<double, kFeatureCount> RiskModel::contributions(const FeatureVector& x) const {
  auto z = standardise(x);
  for (std::size_t i = 0; i < z.size(); ++i) z[i] *= weight[i];
  return z;
}

double RiskModel::threshold_for_share(double share) const {
  if (train_scores.empty()) return 0.5;
  share = std::clamp(share, 0.0, 1.0);
  if (share <= 0) return 0.0;  // nothing approved
  if (share >= 1) return 1.0;
  // 0.55 x 100 is 55.000000000000007 in floating point: nudge before ceil.
  const auto k = static_cast<std::size_t>(std::ceil(share * static_cast<double>(train_scores.size()) - 1e-9)) - 1;
  return train_scores[std::min(k, train_scores.size() - 1)];
}

RiskModel train_model(const std::vector<TrainingRow>& rows, double l2) {
  std::size_t pos = 0;
  for (const auto& r : rows) pos += r.positive ? 1 : 0;
  if (pos == 0 || pos == rows.size()) {
    throw Error(Error::Code::invalid_input,
                fmt::format("risk model: {} changes with {} labelled positive: need both kinds to learn", rows.size(), pos));
  }
  RiskModel m;
  const double n = static_cast<double>(rows.size());
  for (int f = 0; f < kFeatureCount; ++f) {
    const auto i = static_cast<std::size_t>(f);
    double s = 0, ss = 0;
    for (const auto& r : rows) s += raw_input(r.x, f);
    m.mean[i] = s / n;
    for (const auto& r : rows) ss += std::pow(raw_input(r.x, f) - m.mean[i], 2);
    const double sd = std::sqrt(ss / n);
    m.scale[i] = sd > 1e-9 ? sd : 0.0;  // a constant feature carries nothing
  }
  constexpr std::size_t k = kFeatureCount + 1;  // weights, then the bias
  std::vector<std::array<double, kFeatureCount>> z;
  z.reserve(rows.size());
  for (const auto& r : rows) z.push_back(m.standardise(r.x));
  std::vector<double> beta(k, 0.0);
  beta[k - 1] = std::log(static_cast<double>(pos) / (n - static_cast<double>(pos)));
  for (int iter = 0; iter < 25; ++iter) {
    std::vector<double> hess(k * k, 0.0), grad(k, 0.0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      double s = beta[k - 1];
      for (std::size_t i = 0; i + 1 < k; ++i) s += beta[i] * z[r][i];
      const double p = sigmoid(s);
      const double w = std::max(p * (1 - p), 1e-9);
      const double e = (rows[r].positive ? 1.0 : 0.0) - p;
      for (std::size_t i = 0; i < k; ++i) {
        const double xi = i + 1 < k ? z[r][i] : 1.0;
        grad[i] += e * xi;
        for (std::size_t j = 0; j <= i; ++j) {
          const double xj = j + 1 < k ? z[r][j] : 1.0;
          hess[i * k + j] += w * xi * xj;
        }
      }
    }
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < i; ++j) hess[j * k + i] = hess[i * k + j];
      if (i + 1 < k) {  // the penalty spares the bias
        hess[i * k + i] += l2;
        grad[i] -= l2 * beta[i];
      }
    }
    const auto step = solve_spd(hess, grad, k);
    double change = 0;
    for (std::size_t i = 0; i < k; ++i) {
      beta[i] += step[i];
      change = std::max(change, std::abs(step[i]));
    }
    if (change < 1e-7) break;
  }
  for (std::size_t i = 0; i + 1 < k; ++i) m.weight[i] = beta[i];
  m.bias = beta[k - 1];
  m.train_commits = static_cast<long>(rows.size());
  m.train_positives = static_cast<long>(pos);
  m.train_scores.reserve(rows.size());
  for (const auto& r : rows) m.train_scores.push_back(static_cast<float>(m.probability(r.x)));
  std::sort(m.train_scores.begin(), m.train_scores.end());
  return m;
}

nlohmann::json RiskModel::to_json() const {
  nlohmann::json features = nlohmann::json::object();
  for (int f = 0; f < kFeatureCount; ++f) {
    const auto i = static_cast<std::size_t>(f);
    features[std::string(feature_name(f))] = {{"mean", mean[i]}, {"scale", scale[i]}, {"weight", weight[i]}};
  }
  return {{"version", version},          {"kind", kind},
          {"bias", bias},                {"features", features},
          {"trained_at", trained_at},    {"indexed_tip", indexed_tip},
          {"train_commits", train_commits}, {"train_positives", train_positives},
          {"train_scores", train_scores}};
}

RiskModel RiskModel::from_json(const nlohmann::json& j) {
  try {
    RiskModel m;
    m.version = j.at("version").get<int>();
    if (m.version != kModelVersion) {
      throw Error(Error::Code::invalid_input, fmt::format("risk model version {} (expected {})", m.version, kModelVersion));
    }
    m.kind = j.at("kind").get<std::string>();
    m.bias = j.at("bias").get<double>();
    const auto& fs = j.at("features");
    for (int f = 0; f < kFeatureCount; ++f) {
      const auto i = static_cast<std::size_t>(f);
      const auto& e = fs.at(std::string(feature_name(f)));
      m.mean[i] = e.at("mean").get<double>();
      m.scale[i] = e.at("scale").get<double>();
      m.weight[i] = e.at("weight").get<double>();
      if (!std::isfinite(m.mean[i]) || !std::isfinite(m.scale[i]) || !std::isfinite(m.weight[i])) {
        throw Error(Error::Code::invalid_input, "risk model: a coefficient is not finite");
      }
    }
    m.trained_at = j.value("trained_at", "");
    m.indexed_tip = j.value("indexed_tip", "");
    m.train_commits = j.value("train_commits", 0L);
    m.train_positives = j.value("train_positives", 0L);
    m.train_scores = j.value("train_scores", std::vector<float>{});
    std::sort(m.train_scores.begin(), m.train_scores.end());
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw Error(Error::Code::invalid_input, fmt::format("risk model: {}", e.what()));
  }
}

std::filesystem::path model_file(const std::filesystem::path& dir) { return dir / "model.json"; }

std::optional<RiskModel> load_model(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    return RiskModel::from_json(nlohmann::json::parse(in));
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: retrained, never trusted
  }
}

void save_model(const RiskModel& m, const std::filesystem::path& file) { write_private_file(file, m.to_json().dump()); }

}  // namespace reviewer::history
