#pragma once

#include <QString>

#include <optional>

namespace jikken {

/// Registry tokens in the platform's keychain (the macOS Keychain, the Secret Service on Linux, the
/// Windows Credential Store) through QtKeychain: service "jikken", one entry per registry URL.
///
/// Each call waits for the keychain's answer (a D-Bus round trip, or the user unlocking the keychain), so
/// it is made where the user asked for it: at start-up and when settings are saved, never per request.
/// `JIKKEN_KEYCHAIN=off` turns it off (the 600-mode file is used instead), e.g. for a shared account.
namespace TokenKeychain {

inline constexpr char kService[] = "jikken";

/// Why a keychain cannot be used here, or empty when it may be tried.
QString unavailableReason();
bool write(const QString& registryUrl, const QString& token, QString* error);
/// The token, std::nullopt with `error` set when there is none or the keychain is unavailable.
std::optional<QString> read(const QString& registryUrl, QString* error);
/// Removes the entry; true when there is none afterwards.
bool remove(const QString& registryUrl, QString* error);

} // namespace TokenKeychain

} // namespace jikken
