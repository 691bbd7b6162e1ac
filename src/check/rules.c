/* SPDX-License-Identifier: MIT */
/* The rule catalogue: PROTOCOL.md §8 plus our own P-, F- and Z- rules.
 * Level: MUST rules are "must"; COMMON and SHOULD rules, and MUST rules that
 * §8 marks as broken by shipped senders (N-03, N-06, X-01, B-03, B-04,
 * B-06, D-07), are "common": reported, never a reason to reject. */
#include <stdint.h>
#include <string.h>

#include "mailslot/validate.h"

#define MUST MS_LEVEL_MUST
#define COMMON MS_LEVEL_COMMON

static const ms_rule rules[] = {
    /* 8.1 NBDS layer */
    { "N-01", MUST, "payload", "payload >= 10 octets; >= 14 for 0x10-0x12; exactly 11 for 0x13; 10 + encoded name for 0x14-0x16", "RFC1002 4.4" },
    { "N-02", MUST, "nbdgm.type", "MSG_TYPE in 0x10..0x16", "RFC1002 4.4.1" },
    { "N-03", COMMON, "nbdgm.flags", "FLAGS & 0xF0 == 0 (reserved bits; Windows NT 4.0 sets 0x10)", "RFC1002 4.4.1; real senders break this" },
    { "N-04", MUST, "nbdgm.offset", "F=1 and M=0 => PACKET_OFFSET == 0", "RFC1002 5.3.1" },
    { "N-05", COMMON, "nbdgm.flags", "F=1, M=0: unfragmented (no Windows or Samba sender fragments)", "MS-MAIL <13>; Samba" },
    { "N-06", COMMON, "nbdgm.length", "0x10-0x12 unfragmented: DGM_LENGTH == payload - 14", "RFC1002 5.3.1; real senders break this" },
    { "N-07", MUST, "nbdgm.src_name", "names decode: first label 32 letters A..P, labels 1..63, final 0x00, <= 255 octets", "RFC1002 4.1" },
    { "N-08", MUST, "nbdgm.src_name", "no label pointer or reserved label type in datagram names", "RFC1002 4.1" },
    { "N-09", COMMON, "nbdgm.src_name", "both names unscoped (34 octets); USER_DATA at payload offset 82", "observed everywhere" },
    { "N-10", MUST, "nbdgm.dst_name", "MSG_TYPE 0x12 => DESTINATION_NAME is '*' + 15 x 0x00 (+ scope)", "RFC1002 5.3.1" },
    { "N-11", COMMON, "nbdgm.type", "MSG_TYPE != 0x12 for mailslot traffic", "MS-MAIL <13>; Samba" },
    { "N-12", COMMON, "nbdgm.flags", "FLAGS in {0x02, 0x06, 0x0A, 0x0E}", "PROTOCOL.md 2.3" },
    { "N-13", COMMON, "nbdgm.src_port", "SOURCE_PORT 138, UDP 138 -> 138, SOURCE_IP == IP source", "RFC1002 6; Samba; Windows" },
    { "N-14", COMMON, "nbdgm.src_name", "SOURCE_NAME suffix 0x00 (0x20 tolerated)", "Hertel; Samba" },
    { "N-15", MUST, "nbdgm.error_code", "0x13: ERROR_CODE in {0x82, 0x83, 0x84} and F = M = 0", "RFC1002 4.4.3, 5.3.3" },
    { "N-16", COMMON, "payload", "payload <= 14 + names + 512 (594 unscoped)", "MS-MAIL <2>" },
    /* 8.2 SMB header and transaction words */
    { "S-01", MUST, "nbdgm.user_data", "USER_DATA >= 81 octets (69 fixed + \\MAILSLOT\\x + NUL)", "PROTOCOL.md 4.1" },
    { "S-02", MUST, "smb.protocol", "Protocol == FF 'SMB' and Command == 0x25", "MS-MAIL 2.2.1" },
    { "S-03", COMMON, "smb", "SMB header as senders write it: Status 0, Flags 0/0x18, Flags2 0/4, PIDLow 0/0xFEFF, rest 0", "PROTOCOL.md 3" },
    { "S-04", COMMON, "smb.flags2", "Flags2 UNICODE (0x8000) and Flags REPLY (0x80) clear", "PROTOCOL.md 3" },
    { "T-01", MUST, "trans.word_count", "WordCount == 17 and SetupCount == 3", "MS-MAIL 2.2.1; MS-CIFS 2.2.4.33.1" },
    { "T-02", MUST, "mailslot.opcode", "Setup[0] (MailSlotOpcode) == 1 (write)", "MS-MAIL 2.2.1" },
    { "T-03", MUST, "mailslot.class", "Class in {1, 2}; class 1 never with MSG_TYPE 0x11/0x12", "MS-MAIL 2.2.1" },
    { "T-04", COMMON, "mailslot.class", "Class == 2", "all senders" },
    { "T-05", MUST, "mailslot.priority", "Priority <= 9", "MS-MAIL 2.2.1" },
    { "T-06", COMMON, "mailslot.priority", "Priority in {0, 1}", "Windows, Samba" },
    { "T-07", MUST, "trans.param_count", "TotalParameterCount == 0 and ParameterCount == 0", "MS-MAIL 2.2.1" },
    { "T-08", MUST, "trans.total_data_count", "TotalDataCount == DataCount", "MS-MAIL 2.2.1" },
    { "T-09", MUST, "trans.max_data_count", "MaxDataCount, MaxSetupCount, Reserved1, Reserved2, Reserved3 == 0", "MS-MAIL 2.2.1" },
    { "T-10", COMMON, "trans.max_param_count", "MaxParameterCount in {0, 2}", "PROTOCOL.md 4.2" },
    { "T-11", MUST, "trans.flags", "transaction Flags & 0xFFFC == 0", "MS-MAIL 2.2.1" },
    { "T-12", COMMON, "trans.flags", "transaction Flags in {0, 2}; Timeout in {0, 1000}", "PROTOCOL.md 4.2" },
    { "T-13", COMMON, "trans.param_offset", "ParameterOffset in {0, DataOffset}", "MS-CIFS <43>" },
    /* 8.3 name, padding, data */
    { "D-01", MUST, "trans.byte_count", "69 + ByteCount == S (ByteCount counts exactly the octets after it)", "MS-MAIL 2.2.1" },
    { "D-02", MUST, "mailslot.name", "mailslot name NUL-terminated before min(S, 69 + ByteCount)", "MS-MAIL 2.2.1; CVE-2006-3942" },
    { "D-03", MUST, "mailslot.name", "name starts with \\MAILSLOT\\ (any case) and at least one more character", "MS-MAIL 2.2.1, 3.1.4.1" },
    { "D-04", COMMON, "mailslot.name", "name is printable ASCII with the prefix in upper case", "Windows, Samba" },
    { "D-05", MUST, "trans.data_offset", "70 + n <= DataOffset <= 73 + n (0-3 pad octets)", "MS-MAIL 2.2.1" },
    { "D-06", MUST, "trans.pad", "padding octets are zero", "MS-MAIL 2.2.1" },
    { "D-07", COMMON, "trans.data_offset", "DataOffset % 4 == 0 (MS-MAIL; the browser service and Samba never pad)", "MS-MAIL 2.2.1 vs MS-BRWS 4.1; real senders break this" },
    { "D-08", MUST, "trans.data_count", "DataOffset + DataCount <= S", "MS-MAIL 3.2.5.1" },
    { "D-09", COMMON, "trans.trailing", "DataOffset + DataCount == S (no trailing octets)", "all senders" },
    { "D-10", COMMON, "mailslot.size", "DataCount >= 1 (Samba nmbd drops empty messages)", "Samba process_dgram" },
    { "D-11", MUST, "payload", "SMB message S <= 512 octets", "MS-MAIL <2>" },
    { "D-12", COMMON, "mailslot.size", "mailslot name with NUL + DataCount <= 443", "MS-MAIL 2.1 (SHOULD)" },
    { "D-13", COMMON, "mailslot.size", "group/broadcast: DataCount <= 424; direct: DataCount <= 512 - DataOffset", "Win32 CreateMailslot; MS-MAIL <2>" },
    /* 8.4 browser */
    { "B-01", MUST, "browser.command", "browser opcode in {0x01, 0x02, 0x08..0x0F}", "MS-BRWS 2.2" },
    { "B-02", MUST, "mailslot.size", "browser frame length fits its opcode", "MS-BRWS 2.2.x" },
    { "B-03", COMMON, "browser.server_name", "16-octet ServerName/MachineGroup holds a NUL (<= 15 characters)", "MS-BRWS 2.2.1; real senders break this" },
    { "B-04", COMMON, "browser.comment", "Comment NUL-terminated and <= 43 octets with the NUL", "MS-BRWS 2.2.1; real senders break this" },
    { "B-05", MUST, "browser.signature", "Signature == 0xAA55 in Host/LocalMasterAnnouncement", "MS-BRWS 2.2.1" },
    { "B-06", COMMON, "browser.name", "variable names NUL-terminated and <= 16 octets with the NUL", "MS-BRWS 2.2.x; real senders break this" },
    { "B-07", MUST, "browser.count", "GetBackupListResponse: exactly BackupServerCount terminated names", "MS-BRWS 2.2.5" },
    { "B-08", MUST, "browser.unused", "RequestElection: Unused == 0; Version == 1 unless Criteria == 0", "MS-BRWS 2.2.3, <30>" },
    { "B-09", MUST, "browser.reset_type", "ResetStateRequest: Type in {0x01, 0x02, 0x04}", "MS-BRWS 2.2.9" },
    { "B-10", COMMON, "browser.browser_major", "BrowserVersion 15.1 (Windows 95/98: 21.4) in host announcements", "MS-BRWS 2.2.1" },
    { "B-11", COMMON, "nbdgm.dst_name", "destination suffix matches the opcode (PROTOCOL.md 6.2)", "MS-BRWS 2.2.x" },
    { "B-12", COMMON, "browser.server_type", "ServerType never has 0x40000000 (LOCAL_LIST_ONLY)", "Samba masks it" },
    { "B-13", COMMON, "browser.periodicity", "Periodicity 60000..900000 ms, or 0 with ServerType 0 (going away)", "MS-BRWS 3.2.6, 3.3.6" },
    { "B-14", COMMON, "mailslot.data", "LAN Manager announcement: >= 12 octets and two NUL-terminated strings", "Samba, Wireshark" },
    /* 8.5 NETLOGON */
    { "L-01", MUST, "mailslot.name", "NETLOGON requests go to \\MAILSLOT\\NET\\NETLOGON (or NTLOGON)", "MS-ADTS 6.3.5; Samba" },
    { "L-02", MUST, "netlogon.lm20_token", "NT-era message: >= 10 octets ending FF FF FF FF", "MS-ADTS 6.3.1.x" },
    { "L-03", MUST, "netlogon", "every string ends before the trailer; UTF-16 strings even with a 2-octet NUL", "MS-ADTS 6.3.1.x" },
    { "L-04", MUST, "netlogon.pad", "0x07/0x0C alignment octet present exactly when needed, and zero", "MS-ADTS 6.3.1.4/6.3.1.5" },
    { "L-05", MUST, "netlogon.domain_sid_size", "0x12: DomainSidSize 0, or 8..68 aligned, == 8 + 4 x SubAuthorityCount", "MS-ADTS 6.3.1.6; MS-DTYP" },
    { "L-06", MUST, "netlogon.mailslot_name", "reply MailslotName begins \\MAILSLOT\\", "MS-ADTS 6.3.1.4/6.3.1.6" },
    { "L-07", MUST, "netlogon.nt_version", "request NtVersion reserved bits (& ~0xF100001F) == 0", "MS-ADTS 6.3.1.1" },
    { "L-08", MUST, "netlogon.nt_version", "response layout consistent with the trailer's NtVersion", "MS-ADTS 6.3.5" },
    { "L-09", MUST, "netlogon.sbz", "EX: Sbz 0; DcSockAddr 16 octets iff V5EP, family 2, sin_zero 0", "MS-ADTS 6.3.1.9" },
    { "L-10", MUST, "netlogon", "compressed names stay inside the message, point backwards, <= 255 octets", "MS-ADTS 6.3.7" },
    { "L-11", COMMON, "nbdgm.dst_name", "request to <domain>[1C] (or [1B], or a DC's [00]); response 0x10", "PROTOCOL.md 7.1" },
    /* 8.6 cross-layer */
    { "X-01", COMMON, "nbdgm.length", "payload == 14 + names + 69 + ByteCount == 14 + DGM_LENGTH", "real senders break this" },
    { "X-02", COMMON, "payload", "payload == 82 + DataOffset + DataCount", "PROTOCOL.md 8.6" },
    { "X-03", COMMON, "trans", "transaction in a shape Windows or Samba send (browser, redirector, nmbd)", "PROTOCOL.md 4.2, 8.6" },
    { "X-04", COMMON, "trans", "laid out as the sender of check --as would have laid it out (reported only when asked)", "docs/LAYOUTS.md; PROTOCOL.md 2.3, 3, 4.2" },
    /* Our own: capture and transport */
    { "P-01", COMMON, "payload", "datagram cut by the capture's snapshot length: later rules see only the octets present", "capture" },
    { "P-02", MUST, "udp", "UDP length field agrees with the IPv4 datagram", "RFC 768" },
    { "P-03", MUST, "payload", "the datagram decodes completely", "decoder" },
    /* Our own: NBDS fragments */
    { "F-01", MUST, "nbdgm.offset", "fragments of one datagram do not overlap with different octets", "RFC1002 5.3.3" },
    { "F-02", MUST, "nbdgm.flags", "fragments of one datagram agree (one first, one last, same names)", "RFC1002 5.3.1" },
    { "F-03", COMMON, "nbdgm.id", "every fragment set completes within FRAGMENT_TO (2 s)", "RFC1002 5.3.3, 6" },
    { "F-04", COMMON, "nbdgm.id", "no fragment is sent twice", "RFC1002 5.3" },
    { "F-05", COMMON, "nbdgm.id", "reassembly limits (sets and octets in flight) not exceeded", "mailslot" },
    /* Our own: size limits §8 leaves to prose */
    { "Z-01", COMMON, "payload", "UDP payload <= 576 octets (Samba nmbd reads 576 and drops longer)", "Samba nmbd read_packet" },
    { "Z-02", COMMON, "payload", "UDP payload <= 548 octets (IP datagram <= 576, RFC 1002 MAX_DATAGRAM_LENGTH)", "RFC1002 6" },
};

const ms_rule *ms_rules(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}

/* The validator looks a rule up by its ID for every finding, so the ID
 * itself says where to look: rules[] lists each family in order, numbered
 * from 01 without gaps, starting at the index below. A guess is confirmed
 * with strcmp; anything unexpected falls back to the plain search. */
static size_t family_start(char c)
{
    switch (c) {
    case 'N': return 0;
    case 'S': return 16;
    case 'T': return 20;
    case 'D': return 33;
    case 'B': return 46;
    case 'L': return 60;
    case 'X': return 71;
    case 'P': return 75;
    case 'F': return 78;
    case 'Z': return 83;
    default: return SIZE_MAX;
    }
}

const ms_rule *ms_rule_find(const char *id)
{
    size_t n = sizeof rules / sizeof rules[0];
    if (id[0] && id[1] == '-' && id[2] >= '0' && id[2] <= '9' && id[3] >= '0' &&
        id[3] <= '9' && id[4] == '\0') {
        size_t start = family_start(id[0]);
        size_t i = start + (size_t)(id[2] - '0') * 10 + (size_t)(id[3] - '0') - 1;
        /* Every ID is "X-NN" (tests/check/test_rules.c): five octets with
         * the NUL, compared without a call. */
        if (start != SIZE_MAX && i < n && memcmp(rules[i].id, id, 5) == 0)
            return &rules[i];
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}
