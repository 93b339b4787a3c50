// Tests the sign-in rate limiter: the sliding window, Retry-After rounding, reset on success, per-key isolation,
// bounded memory under many keys, and consistency under concurrent use.
#include "edge/LoginRateLimiter.h"

#include <QtTest>

#include <thread>

using namespace heyo::edge;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class TestLoginRateLimiter : public QObject {
    Q_OBJECT
private slots:
    void blocksAfterMaxFailures()
    {
        LoginRateLimiter limiter(3, 60s);
        const Clock::time_point t0 = Clock::now();
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(limiter.retryAfter("ip", t0 + i * 1s), int64_t(0));
            limiter.recordFailure("ip", t0 + i * 1s);
        }
        // The oldest failure (t0) leaves the window at t0 + 60 s.
        QCOMPARE(limiter.retryAfter("ip", t0 + 3s), int64_t(57));
        QCOMPARE(limiter.retryAfter("ip", t0 + 59s), int64_t(1));
        QCOMPARE(limiter.retryAfter("ip", t0 + 60s), int64_t(0));
        // Sliding: the second failure (t0 + 1 s) still counts, so one more failure blocks again until t0 + 61 s.
        limiter.recordFailure("ip", t0 + 60s);
        QCOMPARE(limiter.retryAfter("ip", t0 + 60s), int64_t(1));
        QCOMPARE(limiter.retryAfter("ip", t0 + 61s), int64_t(0));
    }

    void retryAfterRoundsUp()
    {
        LoginRateLimiter limiter(1, 10s);
        const Clock::time_point t0 = Clock::now();
        limiter.recordFailure("k", t0);
        // 9.5 s remain: waiting 9 s would not be enough.
        QCOMPARE(limiter.retryAfter("k", t0 + 500ms), int64_t(10));
        QCOMPARE(limiter.retryAfter("k", t0 + 9999ms), int64_t(1));
    }

    void successResetsAndKeysAreIndependent()
    {
        LoginRateLimiter limiter(2, 60s);
        const Clock::time_point t0 = Clock::now();
        limiter.recordFailure("a@x.test", t0);
        limiter.recordFailure("a@x.test", t0);
        QVERIFY(limiter.retryAfter("a@x.test", t0) > 0);
        QCOMPARE(limiter.retryAfter("b@x.test", t0), int64_t(0));
        limiter.recordSuccess("a@x.test");
        QCOMPARE(limiter.retryAfter("a@x.test", t0), int64_t(0));
    }

    void attemptsInFlightCountAgainstTheLimit()
    {
        // Guesses sent in parallel: each is reserved before it is checked, so the sixth waits although no failure
        // has been recorded yet; releasing one without a failure makes room again.
        LoginRateLimiter limiter(5, 60s);
        const Clock::time_point t0 = Clock::now();
        for (int i = 0; i < 5; ++i)
            QCOMPARE(limiter.reserve("ip", t0), int64_t(0));
        QCOMPARE(limiter.reserve("ip", t0), int64_t(1));
        QCOMPARE(limiter.retryAfter("ip", t0), int64_t(1));
        limiter.release("ip");
        QCOMPARE(limiter.reserve("ip", t0), int64_t(0));
        for (int i = 0; i < 5; ++i) {
            limiter.recordFailure("ip", t0);
            limiter.release("ip");
        }
        QCOMPARE(limiter.reserve("ip", t0), int64_t(60)); // now five failures: the full window
        QCOMPARE(limiter.reserve("other", t0), int64_t(0));
    }

    void zeroMaxStillLimits()
    {
        LoginRateLimiter limiter(0, 60s); // treated as 1: a limiter that never limits would be a silent hole
        const Clock::time_point t0 = Clock::now();
        limiter.recordFailure("k", t0);
        QVERIFY(limiter.retryAfter("k", t0) > 0);
    }

    void memoryIsBounded()
    {
        LoginRateLimiter limiter(5, 60s);
        const Clock::time_point t0 = Clock::now();
        for (int i = 0; i < 5000; ++i)
            limiter.recordFailure("user" + std::to_string(i) + "@x.test", t0);
        QCOMPARE(limiter.trackedKeys(), size_t(5000));
        // Once the window has passed, new failures sweep the old keys out.
        limiter.recordFailure("late", t0 + 61s);
        QCOMPARE(limiter.trackedKeys(), size_t(1));
    }

    void concurrentUse()
    {
        LoginRateLimiter limiter(1000000, 60s);
        const Clock::time_point t0 = Clock::now();
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 2000; ++i) {
                    limiter.recordFailure("shared", t0);
                    limiter.retryAfter("shared", t0);
                }
            });
        for (auto &th : threads)
            th.join();
        LoginRateLimiter strict(8000, 60s);
        QCOMPARE(limiter.retryAfter("shared", t0), int64_t(0)); // 8000 < 1000000
        threads.clear();
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 2000; ++i)
                    strict.recordFailure("shared", t0);
            });
        for (auto &th : threads)
            th.join();
        QCOMPARE(strict.retryAfter("shared", t0), int64_t(60)); // exactly 8000 recorded: no lost update
    }
};

QTEST_GUILESS_MAIN(TestLoginRateLimiter)
#include "tst_login_rate_limiter.moc"
