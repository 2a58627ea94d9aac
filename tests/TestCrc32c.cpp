#include "events/Crc32c.h"

#include <QRandomGenerator>
#include <QtTest>

#include <vector>

using namespace jikken;

class TestCrc32c : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // RFC 3720 (iSCSI) B.4 test vectors, as TensorFlow's crc32c tests use them.
    void knownVectors()
    {
        std::vector<uint8_t> buffer(32, 0);
        QCOMPARE(crc32c(buffer.data(), buffer.size()), 0x8a9136aau);
        std::fill(buffer.begin(), buffer.end(), 0xff);
        QCOMPARE(crc32c(buffer.data(), buffer.size()), 0x62a8ab43u);
        for (int i = 0; i < 32; ++i)
            buffer[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
        QCOMPARE(crc32c(buffer.data(), buffer.size()), 0x46dd794eu);
        for (int i = 0; i < 32; ++i)
            buffer[static_cast<size_t>(i)] = static_cast<uint8_t>(31 - i);
        QCOMPARE(crc32c(buffer.data(), buffer.size()), 0x113fdb5cu);
        QCOMPARE(crc32c("123456789", 9), 0xe3069283u);
        QCOMPARE(crc32c("", 0), 0u);
    }

    void extendsIncrementally()
    {
        const char text[] = "hello world";
        QCOMPARE(crc32c(text + 5, 6, crc32c(text, 5)), crc32c(text, 11));
    }

    void maskRoundsTrip()
    {
        const uint32_t crc = crc32c("foo", 3);
        QVERIFY(maskCrc(crc) != crc);
        QVERIFY(maskCrc(maskCrc(crc)) != crc);
        // Unmask is rotate-left of (masked - delta): check against the definition.
        const uint32_t masked = maskCrc(crc);
        const uint32_t rot = masked - 0xa282ead8u;
        QCOMPARE((rot >> 17) | (rot << 15), crc);
    }

    void hardwareMatchesPortableOnRandomInput()
    {
        QRandomGenerator random(42);
        for (int round = 0; round < 200; ++round) {
            std::vector<uint8_t> bytes(static_cast<size_t>(random.bounded(0, 3000)));
            for (auto& b : bytes)
                b = static_cast<uint8_t>(random.bounded(256));
            const size_t offset =
                bytes.empty() ? 0 : static_cast<size_t>(random.bounded(static_cast<int>(bytes.size())));
            QCOMPARE(crc32c(bytes.data() + offset, bytes.size() - offset),
                     detail::crc32cPortable(bytes.data() + offset, bytes.size() - offset));
        }
    }
};

QTEST_GUILESS_MAIN(TestCrc32c)
#include "TestCrc32c.moc"
