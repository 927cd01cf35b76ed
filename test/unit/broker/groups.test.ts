import { pino } from 'pino'
import { beforeEach, describe, expect, it } from 'vitest'
import type { JoinParams } from '../../../src/broker/group-model.js'
import { OffsetStore } from '../../../src/broker/group-offsets.js'
import { GroupCoordinator } from '../../../src/broker/groups.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { ManualScheduler } from './support/scheduler.js'

const logger = pino({ enabled: false })
const SESSION = 10_000
const REBALANCE = 30_000

let scheduler: ManualScheduler
let offsets: OffsetStore
let groups: GroupCoordinator

beforeEach(() => {
  scheduler = new ManualScheduler()
  offsets = new OffsetStore(null, logger)
  groups = new GroupCoordinator({ offsets, logger, scheduler })
})

function params(overrides: Partial<JoinParams> = {}): JoinParams {
  return {
    groupId: 'g',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...overrides,
  }
}

const PENDING = Symbol('pending')
/** The value of `promise` if it has settled once pending I/O and microtasks ran, else PENDING. */
async function peek<T>(promise: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([promise, new Promise<typeof PENDING>((resolve) => setImmediate(() => resolve(PENDING)))])
}

/** One member joins an empty group, syncs its own assignment, and the group is Stable. */
async function stableSingleMember(): Promise<string> {
  const joined = await groups.join(params())
  const synced = await groups.sync({
    groupId: 'g',
    generationId: joined.generationId,
    memberId: joined.memberId,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }],
  })
  expect(synced.errorCode).toBe(ErrorCode.NONE)
  return joined.memberId
}

describe('GroupCoordinator', () => {
  it('completes the first join at once: generation 1, the joiner leads and sees itself', async () => {
    const joined = await groups.join(params({ clientId: 'c1' }))
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' })
    expect(joined.memberId).toMatch(/^c1-/)
    expect(joined.leader).toBe(joined.memberId)
    expect(joined.members).toEqual([
      { memberId: joined.memberId, groupInstanceId: null, metadata: Buffer.from('subscription') },
    ])
    expect(groups.describe('g').state).toBe('CompletingRebalance')
    const synced = await groups.sync({
      groupId: 'g',
      generationId: 1,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('p0') }],
    })
    expect(synced).toEqual({ errorCode: 0, assignment: Buffer.from('p0') })
    const described = groups.describe('g')
    expect(described).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described.members[0]).toMatchObject({ clientId: 'c1', assignment: Buffer.from('p0') })
  })

  it('rebalances when a second member joins: the first learns it from its heartbeat and rejoins', async () => {
    const first = await stableSingleMember()
    const secondJoin = groups.join(params({ clientId: 'c2' }))
    expect(await peek(secondJoin)).toBe(PENDING)
    expect(groups.describe('g').state).toBe('PreparingRebalance')
    expect(groups.heartbeat('g', 1, first)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)

    const firstJoin = await groups.join(params({ memberId: first }))
    const second = await secondJoin
    expect([firstJoin.generationId, second.generationId]).toEqual([2, 2])
    expect(firstJoin.leader).toBe(first)
    expect(firstJoin.members.map((m) => m.memberId).sort()).toEqual([first, second.memberId].sort())
    expect(second.members).toEqual([])

    // The follower's sync waits for the leader's assignment.
    const followerSync = groups.sync({ groupId: 'g', generationId: 2, memberId: second.memberId, assignments: [] })
    expect(await peek(followerSync)).toBe(PENDING)
    const leaderSync = await groups.sync({
      groupId: 'g',
      generationId: 2,
      memberId: first,
      assignments: [
        { memberId: first, assignment: Buffer.from('p0,p1') },
        { memberId: second.memberId, assignment: Buffer.from('p2,p3') },
      ],
    })
    expect(leaderSync.assignment).toEqual(Buffer.from('p0,p1'))
    expect((await followerSync).assignment).toEqual(Buffer.from('p2,p3'))
    expect(groups.describe('g').state).toBe('Stable')
    expect(groups.heartbeat('g', 2, first)).toBe(ErrorCode.NONE)
    expect(groups.heartbeat('g', 1, first)).toBe(ErrorCode.ILLEGAL_GENERATION)
  })

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const first = await stableSingleMember()
    const secondJoin = groups.join(params({ clientId: 'c2' }))
    // The first member keeps heartbeating (and is told to rejoin) but never does.
    for (let t = 0; t < REBALANCE - SESSION / 2; t += SESSION / 2) {
      scheduler.advance(SESSION / 2)
      expect(groups.heartbeat('g', 1, first)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    }
    scheduler.advance(SESSION / 2 - 1)
    expect(await peek(secondJoin)).toBe(PENDING)
    scheduler.advance(1)
    const second = await secondJoin
    expect(second).toMatchObject({ errorCode: 0, generationId: 2 })
    expect(second.leader).toBe(second.memberId)
    expect(second.members.map((m) => m.memberId)).toEqual([second.memberId])
    expect(groups.heartbeat('g', 2, first)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('expires a member whose session times out and rebalances the rest', async () => {
    const first = await stableSingleMember()
    const secondJoin = groups.join(params({ clientId: 'c2' }))
    const rejoin = await groups.join(params({ memberId: first }))
    const second = await secondJoin
    await groups.sync({ groupId: 'g', generationId: 2, memberId: first, assignments: [] })
    await groups.sync({ groupId: 'g', generationId: 2, memberId: second.memberId, assignments: [] })
    expect(rejoin.generationId).toBe(2)

    // Only the first member heartbeats; the second falls silent.
    for (let t = 0; t < 4; t++) {
      scheduler.advance(SESSION / 2)
      groups.heartbeat('g', 2, first)
    }
    expect(groups.describe('g').state).toBe('PreparingRebalance')
    expect(groups.describe('g').members.map((m) => m.memberId)).toEqual([first])
    expect(groups.heartbeat('g', 2, second.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const again = await groups.join(params({ memberId: first }))
    expect(again).toMatchObject({ generationId: 3, leader: first })
  })

  it('does not expire a member parked in a join: the rebalance timeout bounds that wait', async () => {
    await stableSingleMember()
    const secondJoin = groups.join(params({ clientId: 'c2', sessionTimeoutMs: 1000 }))
    scheduler.advance(5000)
    expect(await peek(secondJoin)).toBe(PENDING)
    scheduler.advance(REBALANCE)
    expect((await secondJoin).errorCode).toBe(ErrorCode.NONE)
  })

  it('goes Empty when the last member leaves, keeping committed offsets', async () => {
    const member = await stableSingleMember()
    expect(groups.checkCommit('g', 1, member)).toBe(ErrorCode.NONE)
    offsets.commit('g', 't', 0, 42, null)
    expect(groups.leave('g', [member, 'nobody'])).toEqual({
      errorCode: 0,
      members: [
        { memberId: member, errorCode: ErrorCode.NONE },
        { memberId: 'nobody', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    })
    expect(groups.describe('g')).toMatchObject({ state: 'Empty', members: [] })
    expect(offsets.get('g', 't', 0)).toEqual({ offset: 42, metadata: null })
    // Admin commits (generation -1) are allowed on an empty group.
    expect(groups.checkCommit('g', -1, '')).toBe(ErrorCode.NONE)
    // A new member starts the next generation.
    expect((await groups.join(params())).generationId).toBe(3)
  })

  it("applies Kafka's commit rules", async () => {
    expect(groups.checkCommit('unknown', -1, '')).toBe(ErrorCode.NONE)
    expect(groups.checkCommit('unknown', 1, 'm')).toBe(ErrorCode.ILLEGAL_GENERATION)
    const joined = await groups.join(params())
    expect(groups.checkCommit('g', 1, joined.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    await groups.sync({ groupId: 'g', generationId: 1, memberId: joined.memberId, assignments: [] })
    expect(groups.checkCommit('g', -1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(groups.checkCommit('g', 0, joined.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(groups.checkCommit('g', 1, joined.memberId)).toBe(ErrorCode.NONE)
    expect(groups.checkCommit('', -1, '')).toBe(ErrorCode.INVALID_GROUP_ID)
  })

  it('rejects bad joins with the matching error codes', async () => {
    expect((await groups.join(params({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await groups.join(params({ sessionTimeoutMs: 10 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await groups.join(params({ protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await groups.join(params({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    await stableSingleMember()
    const other = params({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] })
    expect((await groups.join(other)).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await groups.join(params({ protocolType: 'connect' }))).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    )
  })

  it('picks the protocol most members prefer among those all support', async () => {
    const both = (first: string, second: string) => [
      { name: first, metadata: Buffer.from(first) },
      { name: second, metadata: Buffer.from(second) },
    ]
    const a = groups.join(params({ protocols: both('range', 'roundrobin') }))
    const first = await a
    expect(first.protocolName).toBe('range')
    await groups.sync({ groupId: 'g', generationId: 1, memberId: first.memberId, assignments: [] })
    const b = groups.join(params({ protocols: both('roundrobin', 'range') }))
    const c = groups.join(params({ protocols: both('roundrobin', 'range') }))
    const rejoined = await groups.join(params({ memberId: first.memberId, protocols: both('range', 'roundrobin') }))
    await Promise.all([b, c])
    expect(rejoined.protocolName).toBe('roundrobin')
    // The leader receives every member's metadata for the chosen protocol.
    expect(rejoined.members.map((m) => m.metadata.toString())).toEqual(['roundrobin', 'roundrobin', 'roundrobin'])
  })

  it('answers sync and heartbeat errors for unknown members, old generations and rebalances', async () => {
    expect((await groups.sync({ groupId: 'g', generationId: 1, memberId: 'x', assignments: [] })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    )
    const member = await stableSingleMember()
    expect((await groups.sync({ groupId: 'g', generationId: 0, memberId: member, assignments: [] })).errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    )
    void groups.join(params())
    expect((await groups.sync({ groupId: 'g', generationId: 1, memberId: member, assignments: [] })).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    )
    expect(groups.heartbeat('nope', 1, member)).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('tells parked followers to rejoin when a rebalance starts before the leader syncs', async () => {
    const first = await stableSingleMember()
    const secondJoin = groups.join(params())
    await groups.join(params({ memberId: first }))
    const second = await secondJoin
    const followerSync = groups.sync({ groupId: 'g', generationId: 2, memberId: second.memberId, assignments: [] })
    void groups.join(params({ clientId: 'third' }))
    expect((await followerSync).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
  })

  it('describes, lists and deletes groups', async () => {
    expect(groups.describe('missing')).toMatchObject({ errorCode: 0, state: 'Dead', members: [] })
    offsets.commit('offsets-only', 't', 0, 1, null)
    expect(groups.describe('offsets-only').state).toBe('Empty')
    const member = await stableSingleMember()
    expect(groups.list()).toEqual(
      expect.arrayContaining([
        { groupId: 'g', protocolType: 'consumer' },
        { groupId: 'offsets-only', protocolType: '' },
      ]),
    )
    expect(groups.delete('g')).toBe(ErrorCode.NON_EMPTY_GROUP)
    expect(groups.delete('missing')).toBe(ErrorCode.GROUP_ID_NOT_FOUND)
    expect(groups.delete('offsets-only')).toBe(ErrorCode.NONE)
    expect(offsets.has('offsets-only')).toBe(false)
    groups.leave('g', [member])
    expect(groups.delete('g')).toBe(ErrorCode.NONE)
    expect(groups.describe('g').state).toBe('Dead')
  })

  it('releases parked requests when closed', async () => {
    await stableSingleMember()
    const parked = groups.join(params())
    groups.close()
    expect((await parked).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  })
})
