"""Readers: serial, HID, camera, UHF RFID and badge devices, their profiles, discovery and
supervision. Each reader posts messages (devices/messages.py); no UI and no database here."""
