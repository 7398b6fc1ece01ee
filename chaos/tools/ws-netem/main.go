// ws-netem delays (and optionally drops) packets that an iptables NFQUEUE rule hands it, for
// kernels without the netem qdisc. It binds one queue in the network namespace it runs in, holds
// each packet for --delay-ms ± uniform --jitter-ms, then accepts it. Run it under
// `ip netns exec <ns>`; pair the rule with --queue-bypass so packets pass when it is not running.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"github.com/mdlayher/netlink"
)

const version = "0.1.0"

// copyRange is how much of each packet is copied to us: the IP header and the ports.
const copyRange = 128

type options struct {
	queueNum    uint
	delayMs     float64
	jitterMs    float64
	lossPercent float64
	maxQueue    uint
	failOpen    bool
	seed        uint64
}

type counters struct {
	received, released, lost, overflow, verdictErrors, recvErrors atomic.Uint64
}

func main() {
	var o options
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.UintVar(&o.queueNum, "queue-num", 0, "NFQUEUE queue number to bind (0-65535)")
	flag.Float64Var(&o.delayMs, "delay-ms", 0, "delay added to every packet, in milliseconds")
	flag.Float64Var(&o.jitterMs, "jitter-ms", 0, "uniform jitter ± this many milliseconds around the delay")
	flag.Float64Var(&o.lossPercent, "loss-percent", 0, "drop this percentage of packets (0-100)")
	flag.UintVar(&o.maxQueue, "max-queue", 10000, "packets held at most; the kernel queue has the same bound")
	flag.BoolVar(&o.failOpen, "fail-open", false, "accept instead of drop when the queue is full")
	flag.Uint64Var(&o.seed, "seed", uint64(time.Now().UnixNano()), "random seed for jitter and loss")
	flag.Parse()
	if *showVersion {
		fmt.Printf("ws-netem %s\n", version)
		return
	}
	if err := validate(o); err != nil {
		fmt.Fprintf(os.Stderr, "ws-netem: %v\n", err)
		os.Exit(2)
	}
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetOutput(os.Stdout)
	if err := run(o); err != nil {
		log.Printf("ws-netem: %v", err)
		os.Exit(1)
	}
}

func validate(o options) error {
	switch {
	case o.queueNum > 65535:
		return errors.New("--queue-num must be 0-65535")
	case o.delayMs < 0 || o.jitterMs < 0:
		return errors.New("--delay-ms and --jitter-ms must be >= 0")
	case o.lossPercent < 0 || o.lossPercent > 100:
		return errors.New("--loss-percent must be 0-100")
	case o.maxQueue < 1:
		return errors.New("--max-queue must be >= 1")
	}
	return nil
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func run(o options) error {
	flags := uint32(nfqueue.NfQaCfgFlagGSO)
	if o.failOpen {
		flags |= nfqueue.NfQaCfgFlagFailOpen
	}
	nf, err := nfqueue.Open(&nfqueue.Config{
		NfQueue:      uint16(o.queueNum),
		MaxPacketLen: copyRange,
		MaxQueueLen:  uint32(o.maxQueue),
		Copymode:     nfqueue.NfQnlCopyPacket,
		Flags:        flags,
		WriteTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("open nfqueue: %w", err)
	}
	defer nf.Close()
	if err := nf.SetOption(netlink.NoENOBUFS, true); err != nil {
		return fmt.Errorf("set NoENOBUFS: %w", err)
	}

	var (
		c        counters
		mu       sync.Mutex
		pending  Pending
		stopping bool
		shaper   = NewShaper(ms(o.delayMs), ms(o.jitterMs), o.lossPercent, o.seed)
		wake     = make(chan struct{}, 1)
		failed   = make(chan error, 1)
	)
	verdict := func(id uint32, v int) {
		if err := nf.SetVerdict(id, v); err != nil {
			c.verdictErrors.Add(1)
		}
	}
	hook := func(a nfqueue.Attribute) int {
		if a.PacketID == nil {
			return 0
		}
		id := *a.PacketID
		c.received.Add(1)
		var payload []byte
		if a.Payload != nil {
			payload = *a.Payload
		}
		now := time.Now()
		mu.Lock()
		if stopping {
			mu.Unlock()
			verdict(id, nfqueue.NfAccept)
			c.released.Add(1)
			return 0
		}
		if pending.Len() >= int(o.maxQueue) {
			mu.Unlock()
			c.overflow.Add(1)
			if o.failOpen {
				verdict(id, nfqueue.NfAccept)
			} else {
				verdict(id, nfqueue.NfDrop)
			}
			return 0
		}
		drop, at := shaper.Decide(now, ParseFlow(payload))
		if !drop {
			pending.Push(id, at)
		}
		mu.Unlock()
		if drop {
			c.lost.Add(1)
			verdict(id, nfqueue.NfDrop)
			return 0
		}
		select {
		case wake <- struct{}{}:
		default:
		}
		return 0
	}
	recvCtx, stopRecv := context.WithCancel(context.Background())
	defer stopRecv()
	onErr := func(e error) int {
		if recvCtx.Err() != nil {
			return 1
		}
		var op *netlink.OpError
		if errors.As(e, &op) && (op.Timeout() || op.Temporary()) {
			return 0
		}
		if errors.Is(e, syscall.ENOBUFS) {
			c.recvErrors.Add(1)
			return 0
		}
		select {
		case failed <- fmt.Errorf("receive: %w", e):
		default:
		}
		return 1
	}
	if err := nf.RegisterWithErrorFunc(recvCtx, hook, onErr); err != nil {
		return fmt.Errorf("bind queue %d: %w", o.queueNum, err)
	}
	log.Printf("ws-netem %s: bound queue %d delay=%gms jitter=%gms loss=%g%% max-queue=%d fail-open=%t",
		version, o.queueNum, o.delayMs, o.jitterMs, o.lossPercent, o.maxQueue, o.failOpen)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	report := func() {
		mu.Lock()
		shaper.Forget(time.Now())
		held, flows := pending.Len(), shaper.Flows()
		mu.Unlock()
		log.Printf("queue=%d held=%d flows=%d received=%d released=%d lost=%d overflow=%d verdict_errors=%d recv_errors=%d",
			o.queueNum, held, flows, c.received.Load(), c.released.Load(), c.lost.Load(),
			c.overflow.Load(), c.verdictErrors.Load(), c.recvErrors.Load())
	}
	var exitErr error
	for done := false; !done; {
		mu.Lock()
		due := pending.Due(time.Now())
		next, ok := pending.Next()
		mu.Unlock()
		for _, id := range due {
			verdict(id, nfqueue.NfAccept)
			c.released.Add(1)
		}
		if ok {
			timer.Reset(time.Until(next))
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-wake:
		case <-timer.C:
		case <-tick.C:
			report()
		case s := <-sigs:
			log.Printf("ws-netem: %s, releasing held packets", s)
			done = true
		case exitErr = <-failed:
			done = true
		}
	}
	// Accept everything still held before unbinding: the kernel drops what a closing queue holds.
	mu.Lock()
	stopping = true
	rest := pending.All()
	mu.Unlock()
	for _, id := range rest {
		verdict(id, nfqueue.NfAccept)
		c.released.Add(1)
	}
	stopRecv()
	report()
	return exitErr
}
