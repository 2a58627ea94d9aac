#include "Rendezvous.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace jikken {

namespace {

/// How long a store's own calls wait (a get for a key no one sets, a join while node 0 starts).
constexpr std::chrono::minutes kStoreTimeout{5};

std::vector<uint8_t> bytesOf(const QByteArray& value)
{
    return std::vector<uint8_t>(value.begin(), value.end());
}

QByteArray arrayOf(const std::vector<uint8_t>& bytes)
{
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

QString firstLine(const std::exception& e)
{
    return QString::fromUtf8(e.what()).section(u'\n', 0, 0);
}

/// "HOST:PORT" (HOST may be a bracketed IPv6 address), or nullopt.
std::optional<std::pair<QString, quint16>> hostAndPort(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return std::make_pair(host, static_cast<quint16>(port));
}

} // namespace

struct Rendezvous::Opened
{
    c10::intrusive_ptr<c10d::Store> store;
};

Rendezvous::Rendezvous(std::unique_ptr<Opened> opened, QString where)
    : m_opened(std::move(opened)), m_where(std::move(where))
{
}

Rendezvous::~Rendezvous() = default;

std::unique_ptr<Rendezvous> Rendezvous::open(const QString& where, bool host, QString* error)
{
    auto opened = std::make_unique<Opened>();
    QString resolved = where;
    try {
        if (where.startsWith(QLatin1String("file:")) && where.size() > 5) {
            // Every process of the node opens it; numWorkers only decides when the file is removed, which
            // the launcher does itself (a killed rank never closes it).
            opened->store = c10::make_intrusive<c10d::FileStore>(where.mid(5).toStdString(), 1 << 20);
        } else if (const auto address =
                       where.startsWith(QLatin1String("tcp:")) ? hostAndPort(where.mid(4)) : std::nullopt) {
            c10d::TCPStoreOptions options;
            options.port = address->second;
            options.isServer = host;
            options.waitWorkers = false;
            options.timeout = kStoreTimeout;
            auto store = c10::make_intrusive<c10d::TCPStore>(address->first.toStdString(), options);
            if (host)
                resolved = QStringLiteral("tcp:%1:%2").arg(address->first).arg(store->getPort());
            opened->store = std::move(store);
        } else {
            *error = QStringLiteral("rendezvous \"%1\" is neither file:PATH nor tcp:HOST:PORT").arg(where);
            return nullptr;
        }
    } catch (const std::exception& e) {
        *error = QStringLiteral("cannot %1 the rendezvous %2: %3")
                     .arg(host ? QStringLiteral("host") : QStringLiteral("join"), where, firstLine(e));
        return nullptr;
    }
    opened->store->setTimeout(kStoreTimeout);
    return std::unique_ptr<Rendezvous>(new Rendezvous(std::move(opened), resolved));
}

QString Rendezvous::addressToward(const QString& host, QString* error)
{
    // A datagram socket "connected" to the host sends nothing; the kernel only picks the route, and with it
    // the local address the other nodes reach this one at.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (const int status = getaddrinfo(host.toUtf8().constData(), "9", &hints, &found); status != 0) {
        *error = QStringLiteral("cannot resolve %1: %2").arg(host, QString::fromUtf8(gai_strerror(status)));
        return {};
    }
    QString address;
    for (addrinfo* candidate = found; candidate && address.isEmpty(); candidate = candidate->ai_next) {
        const int fd = socket(candidate->ai_family, candidate->ai_socktype, 0);
        sockaddr_storage local{};
        socklen_t length = sizeof local;
        char text[INET6_ADDRSTRLEN] = {};
        if (fd >= 0 && connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
            const void* raw = local.ss_family == AF_INET6
                                  ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
                                  : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
            if (inet_ntop(local.ss_family, raw, text, sizeof text))
                address = QString::fromLatin1(text);
        }
        if (fd >= 0)
            close(fd);
    }
    freeaddrinfo(found);
    if (address.isEmpty())
        *error = QStringLiteral("no route from this machine to %1").arg(host);
    return address;
}

void Rendezvous::set(const QString& key, const QByteArray& value)
{
    m_opened->store->set(key.toStdString(), bytesOf(value));
}

bool Rendezvous::setFirst(const QString& key, const QByteArray& value)
{
    const std::vector<uint8_t> desired = bytesOf(value);
    // compareSet with an empty "expected" sets a missing key and answers with what is there either way.
    return m_opened->store->compareSet(key.toStdString(), {}, desired) == desired;
}

std::optional<QByteArray> Rendezvous::get(const QString& key, std::chrono::milliseconds timeout, QString* error)
{
    try {
        m_opened->store->wait({key.toStdString()}, timeout);
        return arrayOf(m_opened->store->get(key.toStdString()));
    } catch (const std::exception& e) {
        *error = QStringLiteral("the rendezvous has no %1: %2").arg(key, firstLine(e));
        return std::nullopt;
    }
}

std::optional<QByteArray> Rendezvous::peek(const QString& key)
{
    try {
        if (m_opened->store->check({key.toStdString()}))
            return arrayOf(m_opened->store->get(key.toStdString()));
    } catch (const std::exception&) {
        // A store that is gone has nothing to say; the collectives report the failure.
    }
    return std::nullopt;
}

c10d::Store& Rendezvous::store()
{
    return *m_opened->store;
}

} // namespace jikken
