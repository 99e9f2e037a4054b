"""The RAM-disk option has one wording: the settings and the model manager's folder panel agree."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("language", ["en", "de"])
def test_settings_and_model_manager_name_the_ram_disk_alike(qapp, qtbot, language):
    from PySide6.QtCore import QCoreApplication

    from deepseek_desktop.core.settings.schema import SettingsSchema
    from deepseek_desktop.ui.appearance.i18n import LanguageManager
    from deepseek_desktop.ui.model_manager.folder_panel import ModelsFolderPanel

    languages = LanguageManager(qapp)
    try:
        languages.apply(language)
        panel = ModelsFolderPanel()
        qtbot.addWidget(panel)
        panel.retranslate()
        spec = SettingsSchema().spec("general.ram_disk")
        label = QCoreApplication.translate("Settings", spec.label)
        help_text = QCoreApplication.translate("Settings", spec.help)
        assert label == panel.ramdisk_box.text()
        assert help_text.startswith(panel.ramdisk_note.text())
        if language == "de":
            assert label == "Modelle von einer RAM-Disk laden"
    finally:
        languages.apply("en")
