/* SPDX-License-Identifier: MIT */
#include "mailslot/status.h"

const char *ms_strerror(ms_status st)
{
    switch (st) {
    case MS_OK: return "ok";
    case MS_ERR_TRUNCATED: return "truncated: input ends inside a field";
    case MS_ERR_NO_SPACE: return "output buffer too small";
    case MS_ERR_INVALID_ARG: return "invalid argument";
    case MS_ERR_NAME_FIRST_LABEL: return "NetBIOS name: first label length is not 32";
    case MS_ERR_NAME_POINTER: return "NetBIOS name: label pointer not allowed in datagrams";
    case MS_ERR_NAME_LABEL: return "NetBIOS name: reserved label type";
    case MS_ERR_NAME_TOO_LONG: return "NetBIOS name: longer than 255 octets";
    case MS_ERR_NAME_ENCODING: return "NetBIOS name: letter outside A..P";
    case MS_ERR_MSG_TYPE: return "NBDS: unknown message type";
    case MS_ERR_NOT_SMB: return "SMB: protocol is not \\xFFSMB";
    case MS_ERR_SMB_COMMAND: return "SMB: command is not TRANSACTION (0x25)";
    case MS_ERR_WORD_COUNT: return "SMB: WordCount too small for a transaction";
    case MS_ERR_UNTERMINATED: return "string not terminated";
    case MS_ERR_DATA_RANGE: return "DataOffset/DataCount outside the message";
    case MS_ERR_OPCODE: return "unknown opcode";
    case MS_ERR_LAYOUT: return "payload does not fit the opcode's layout";
    case MS_ERR_COMPRESSION: return "bad compressed name";
    case MS_ERR_TOO_MANY: return "too many items";
    case MS_ERR_TIMEOUT: return "timed out";
    case MS_ERR_TOO_BIG: return "message larger than the size limit that applies";
    case MS_ERR_NOT_FOUND: return "not found";
    case MS_ERR_EXISTS: return "already exists";
    case MS_ERR_SYSTEM: return "system call failed";
    case MS_ERR__COUNT: break;
    }
    return "unknown status";
}
