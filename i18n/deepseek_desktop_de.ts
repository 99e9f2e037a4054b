<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About DeepSeek Desktop</source>
        <translation>Über DeepSeek Desktop</translation>
    </message>
    <message>
        <source>DeepSeek Desktop {version}</source>
        <translation>DeepSeek Desktop {version}</translation>
    </message>
    <message>
        <source>Chat with DeepSeek models on this computer, on a server of your own or through DeepSeek&apos;s API. Free software under the {licence} licence. Your conversations, settings and models stay in the folders below.</source>
        <translation>Chatten Sie mit DeepSeek-Modellen auf diesem Rechner, auf einem eigenen Server oder über die DeepSeek-API. Freie Software unter der {licence}-Lizenz. Ihre Unterhaltungen, Einstellungen und Modelle bleiben in den Ordnern unten.</translation>
    </message>
    <message>
        <source>Data (conversations, models):</source>
        <translation>Daten (Unterhaltungen, Modelle):</translation>
    </message>
    <message>
        <source>Settings:</source>
        <translation>Einstellungen:</translation>
    </message>
    <message>
        <source>Log:</source>
        <translation>Protokoll:</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open the folder: {folder}</source>
        <translation>Ordner öffnen: {folder}</translation>
    </message>
    <message>
        <source>Built on:</source>
        <translation>Aufgebaut auf:</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Bestandteil</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <source>The parts the app is built on, with their licences</source>
        <translation>Die Bestandteile der App mit ihren Lizenzen</translation>
    </message>
</context>
<context>
    <name>Accessibility</name>
    <message>
        <source>Reply finished.</source>
        <translation>Antwort fertig.</translation>
    </message>
    <message>
        <source>Reply stopped.</source>
        <translation>Antwort angehalten.</translation>
    </message>
    <message>
        <source>The reply failed.</source>
        <translation>Die Antwort ist fehlgeschlagen.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>DeepSeek Desktop is already running, but it does not answer. Close it (or end it in the task manager) and try again.</source>
        <translation>DeepSeek Desktop läuft bereits, reagiert aber nicht. Schließen Sie das Programm (oder beenden Sie es im Task-Manager) und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>DeepSeek Desktop cannot write to its data folder {folder} ({reason}). Check that the folder and the disk are writable, or choose another folder with the environment variable DEEPSEEK_DESKTOP_HOME.</source>
        <translation>DeepSeek Desktop kann nicht in seinen Datenordner {folder} schreiben ({reason}). Prüfen Sie, ob Ordner und Datenträger beschreibbar sind, oder wählen Sie mit der Umgebungsvariable DEEPSEEK_DESKTOP_HOME einen anderen Ordner.</translation>
    </message>
    <message>
        <source>DeepSeek Desktop</source>
        <translation>DeepSeek Desktop</translation>
    </message>
</context>
<context>
    <name>CatalogueView</name>
    <message>
        <source>No model matches. Choose “All models” or change the search.</source>
        <translation>Kein Modell passt. Wählen Sie „Alle Modelle“ oder ändern Sie die Suche.</translation>
    </message>
    <message>
        <source>Search models</source>
        <translation>Modelle suchen</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Anzeigen:</translation>
    </message>
    <message>
        <source>Fits this computer</source>
        <translation>Passt auf diesen Rechner</translation>
    </message>
    <message>
        <source>Only models and downloads that run in this computer&apos;s memory</source>
        <translation>Nur Modelle und Downloads, die im Speicher dieses Rechners laufen</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>Alle Modelle</translation>
    </message>
    <message>
        <source>Reading the catalogue and checking this computer…</source>
        <translation>Katalog wird gelesen und dieser Rechner geprüft …</translation>
    </message>
    <message>
        <source>This computer: {free} of {total} memory free</source>
        <translation>Dieser Rechner: {free} von {total} Arbeitsspeicher frei</translation>
    </message>
    <message>
        <source>{gpu} (unified memory, {usable} for the GPU)</source>
        <translation>{gpu} (gemeinsamer Speicher, {usable} für die GPU)</translation>
    </message>
    <message>
        <source>GPU: {names}, {free} of {total} free</source>
        <translation>GPU: {names}, {free} von {total} frei</translation>
    </message>
    <message>
        <source>no GPU the engine can use</source>
        <translation>keine GPU, die die Engine nutzen kann</translation>
    </message>
    <message>
        <source>{n} cores</source>
        <translation>{n} Kerne</translation>
    </message>
    <message>
        <source>estimates for {ctx} tokens of context</source>
        <translation>Schätzungen für {ctx} Token Kontext</translation>
    </message>
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>The reply could not be saved. It stays on screen and is saved as soon as the disk allows; nothing is lost while the app is open.</source>
        <translation>Die Antwort konnte nicht gespeichert werden. Sie bleibt sichtbar und wird gespeichert, sobald der Datenträger es zulässt; solange die App offen ist, geht nichts verloren.</translation>
    </message>
    <message>
        <source>The message could not be sent.</source>
        <translation>Die Nachricht konnte nicht gesendet werden.</translation>
    </message>
    <message>
        <source>The other version could not be shown.</source>
        <translation>Die andere Version konnte nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Earlier messages could not be loaded.</source>
        <translation>Frühere Nachrichten konnten nicht geladen werden.</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Show earlier messages</source>
        <translation>Frühere Nachrichten anzeigen</translation>
    </message>
    <message>
        <source>Ask DeepSeek anything.

Enter sends, Shift+Enter starts a new line, Esc stops a reply.</source>
        <translation>Fragen Sie DeepSeek, was Sie möchten.

Eingabetaste sendet, Umschalt+Eingabe beginnt eine neue Zeile, Esc stoppt eine Antwort.</translation>
    </message>
</context>
<context>
    <name>CommandBox</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>Antwort stoppen (Esc)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Senden (Eingabetaste)</translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Last message: {when}</source>
        <translation>Letzte Nachricht: {when}</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Als Markdown exportieren …</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>Als JSON exportieren …</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>Neue Unterhaltung beginnen (Strg+N)</translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>Unterhaltungen durchsuchen (Strg+F)</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
</context>
<context>
    <name>CopyFeedback</name>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>DeviceText</name>
    <message>
        <source>{name} (emulated on the processor)</source>
        <translation>{name} (auf dem Prozessor nachgebildet)</translation>
    </message>
    <message>
        <source>1 thread</source>
        <translation>1 Thread</translation>
    </message>
    <message>
        <source>{n} threads</source>
        <translation>{n} Threads</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>{n}/{total} layers</source>
        <translation>{n}/{total} Schichten</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <source>%p %</source>
        <translation>%p %</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the download. What has arrived is kept for a resume.</source>
        <translation>Download anhalten. Was schon angekommen ist, bleibt zum Fortsetzen erhalten.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Continue where the download stopped</source>
        <translation>Dort weitermachen, wo der Download aufgehört hat</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Delete the partly downloaded files</source>
        <translation>Die teilweise heruntergeladenen Dateien löschen</translation>
    </message>
    <message>
        <source>Remove from this list</source>
        <translation>Aus dieser Liste entfernen</translation>
    </message>
    <message>
        <source>Asking the model server for the files…</source>
        <translation>Modellserver wird nach den Dateien gefragt …</translation>
    </message>
    <message>
        <source>Checking the {done} already downloaded…</source>
        <translation>Die bereits heruntergeladenen {done} werden geprüft …</translation>
    </message>
    <message>
        <source>Checking the downloaded data…</source>
        <translation>Die heruntergeladenen Daten werden geprüft …</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} von {total}</translation>
    </message>
    <message>
        <source>about {time} left</source>
        <translation>noch etwa {time}</translation>
    </message>
    <message>
        <source>file {index} of {count}</source>
        <translation>Datei {index} von {count}</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Wird heruntergeladen …</translation>
    </message>
    <message>
        <source>Installed. Choose it in the toolbar to chat with it.</source>
        <translation>Installiert. Wählen Sie es in der Symbolleiste, um damit zu chatten.</translation>
    </message>
    <message>
        <source>{done} of {total} downloaded.</source>
        <translation>{done} von {total} heruntergeladen.</translation>
    </message>
    <message>
        <source>Paused: {kept} Resume continues where it stopped.</source>
        <translation>Angehalten: {kept} „Fortsetzen“ macht dort weiter.</translation>
    </message>
    <message>
        <source>{error} {kept} Resume continues from there.</source>
        <translation>{error} {kept} „Fortsetzen“ macht dort weiter.</translation>
    </message>
</context>
<context>
    <name>Downloads</name>
    <message>
        <source>{size}/s</source>
        <translation>{size}/s</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <source>{n} ms</source>
        <translation>{n} ms</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} h {m} min</translation>
    </message>
</context>
<context>
    <name>DownloadsPanel</name>
    <message>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
</context>
<context>
    <name>DropImporter</name>
    <message>
        <source>The dropped model could not be imported.</source>
        <translation>Das abgelegte Modell konnte nicht importiert werden.</translation>
    </message>
    <message>
        <source>Imported {name}. Choose it in the toolbar to chat with it.</source>
        <translation>{name} importiert. Wählen Sie es in der Symbolleiste, um damit zu chatten.</translation>
    </message>
    <message>
        <source>No model is installed and none of the catalogue fits this computer&apos;s memory. The simulator answers for now; a remote server can run large models.</source>
        <translation>Es ist kein Modell installiert, und keines aus dem Katalog passt in den Speicher dieses Rechners. Vorerst antwortet der Simulator; große Modelle kann ein entfernter Server ausführen.</translation>
    </message>
    <message>
        <source>No model yet: the simulator answers for now. Recommended for this computer: {name} ({quant}, {size} download). {level}: {speed}.</source>
        <translation>Noch kein Modell: Vorerst antwortet der Simulator. Empfohlen für diesen Rechner: {name} ({quant}, {size} Download). {level}: {speed}.</translation>
    </message>
    <message>
        <source>For a quick first try: {name} ({size}), {level}: {speed}.</source>
        <translation>Für einen schnellen ersten Versuch: {name} ({size}), {level}: {speed}.</translation>
    </message>
    <message>
        <source>Quick try ({size})</source>
        <translation>Schnell ausprobieren ({size})</translation>
    </message>
    <message>
        <source>Download ({size})</source>
        <translation>Herunterladen ({size})</translation>
    </message>
</context>
<context>
    <name>EndpointsEditor</name>
    <message>
        <source>Not saved yet: {reason}</source>
        <translation>Noch nicht gespeichert: {reason}</translation>
    </message>
    <message>
        <source>DeepSeek API</source>
        <translation>DeepSeek-API</translation>
    </message>
    <message>
        <source>Select a server first.</source>
        <translation>Wählen Sie zuerst einen Server.</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>API key for {name} (kept in the system keyring):</source>
        <translation>API-Schlüssel für {name} (wird im Schlüsselbund des Systems gespeichert):</translation>
    </message>
    <message>
        <source>API key for {name}. No system keyring is available: the key is kept only until the app quits.</source>
        <translation>API-Schlüssel für {name}. Es ist kein Schlüsselbund des Systems verfügbar: Der Schlüssel wird nur bis zum Beenden der App behalten.</translation>
    </message>
    <message>
        <source>The API key for {name} is stored in the system keyring.</source>
        <translation>Der API-Schlüssel für {name} ist im Schlüsselbund des Systems gespeichert.</translation>
    </message>
    <message>
        <source>No system keyring is available: the key for {name} is kept only until the app quits.</source>
        <translation>Kein Schlüsselbund verfügbar: Der Schlüssel für {name} wird nur bis zum Beenden der App behalten.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Add server</source>
        <translation>Server hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Set API key…</source>
        <translation>API-Schlüssel festlegen …</translation>
    </message>
    <message>
        <source>OpenAI-compatible servers: DeepSeek&apos;s API, vLLM, SGLang or llama.cpp. With a remote server, your messages leave this computer.</source>
        <translation>OpenAI-kompatible Server: die DeepSeek-API, vLLM, SGLang oder llama.cpp. Mit einem entfernten Server verlassen Ihre Nachrichten diesen Rechner.</translation>
    </message>
    <message>
        <source>The system keyring could not be changed.</source>
        <translation>Der Schlüsselbund des Systems konnte nicht geändert werden.</translation>
    </message>
</context>
<context>
    <name>EnginePlanView</name>
    <message>
        <source>Planning…</source>
        <translation>Wird geplant…</translation>
    </message>
    <message>
        <source>{engine} cannot run {precision} on these devices.</source>
        <translation>{engine} kann {precision} auf diesen Geräten nicht ausführen.</translation>
    </message>
    <message>
        <source>{engine} · {precision}: fits</source>
        <translation>{engine} · {precision}: passt</translation>
    </message>
    <message>
        <source>{engine} · {precision}: does not fit</source>
        <translation>{engine} · {precision}: passt nicht</translation>
    </message>
    <message>
        <source>Each GPU holds {weights} of weights, {kv} of KV cache for {ctx} tokens and {overhead} of working memory: {need} of {usable} usable.</source>
        <translation>Jede GPU hält {weights} Gewichte, {kv} KV-Cache für {ctx} Tokens und {overhead} Arbeitsspeicher: {need} von {usable} nutzbar.</translation>
    </message>
    <message>
        <source>It would fit with {changes}.</source>
        <translation>Es würde passen mit {changes}.</translation>
    </message>
    <message>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message>
        <source>It does not run on these devices.</source>
        <translation>Es läuft nicht auf diesen Geräten.</translation>
    </message>
    <message>
        <source>It does not read these weights.</source>
        <translation>Es liest diese Gewichte nicht.</translation>
    </message>
    <message>
        <source>These GPUs cannot compute in this format (no FP8 before Ada and Hopper).</source>
        <translation>Diese GPUs können in diesem Format nicht rechnen (FP8 erst ab Ada und Hopper).</translation>
    </message>
    <message>
        <source>This route is for one machine.</source>
        <translation>Dieser Weg ist für einen einzelnen Rechner.</translation>
    </message>
    <message>
        <source>It would run with {changes}.</source>
        <translation>Es würde laufen mit {changes}.</translation>
    </message>
    <message>
        <source>The routed experts take {ram} of system RAM ({usable} usable).</source>
        <translation>Die gerouteten Experten belegen {ram} Arbeitsspeicher ({usable} nutzbar).</translation>
    </message>
    <message>
        <source>The routed experts take {ram} of system RAM: give the RAM of the machine.</source>
        <translation>Die gerouteten Experten belegen {ram} Arbeitsspeicher: Geben Sie den Arbeitsspeicher des Rechners an.</translation>
    </message>
    <message>
        <source>These GGUFs predate llama.cpp&apos;s MLA cache: it keeps every head&apos;s keys and values, 71 times the compressed cache.</source>
        <translation>Diese GGUFs sind älter als der MLA-Cache von llama.cpp: Er hält Schlüssel und Werte jedes Kopfes, 71-mal so viel wie der komprimierte Cache.</translation>
    </message>
    <message>
        <source>the API, with its key</source>
        <translation>die API, mit ihrem Schlüssel</translation>
    </message>
    <message>
        <source>private network only</source>
        <translation>nur im privaten Netz</translation>
    </message>
    <message>
        <source>this machine only</source>
        <translation>nur dieser Rechner</translation>
    </message>
    <message>
        <source>{port} on the head ({access})</source>
        <translation>{port} auf dem Hauptknoten ({access})</translation>
    </message>
    <message>
        <source>{port} on the workers ({access})</source>
        <translation>{port} auf den Arbeitsknoten ({access})</translation>
    </message>
    <message>
        <source>Ports: {ports}.</source>
        <translation>Ports: {ports}.</translation>
    </message>
    <message>
        <source>The app connects to {url} with the model name {model}.</source>
        <translation>Die App verbindet sich mit {url} unter dem Modellnamen {model}.</translation>
    </message>
    <message>
        <source>Install {engine}</source>
        <translation>{engine} installieren</translation>
    </message>
    <message>
        <source>Make the API key (on the head, before the server)</source>
        <translation>API-Schlüssel erzeugen (auf dem Hauptknoten, vor dem Server)</translation>
    </message>
    <message>
        <source>Download the weights (on every node)</source>
        <translation>Gewichte herunterladen (auf jedem Knoten)</translation>
    </message>
    <message>
        <source>Download the weights (on the head node)</source>
        <translation>Gewichte herunterladen (auf dem Hauptknoten)</translation>
    </message>
    <message>
        <source>{host} (head)</source>
        <translation>{host} (Hauptknoten)</translation>
    </message>
    <message>
        <source>{host} (worker)</source>
        <translation>{host} (Worker)</translation>
    </message>
    <message>
        <source>Optional, for many users at once (data-parallel attention)</source>
        <translation>Optional, für viele Nutzer gleichzeitig (datenparallele Attention)</translation>
    </message>
    <message>
        <source>Optional, faster answers for one user (multi-token prediction)</source>
        <translation>Optional, schnellere Antworten für einen Nutzer (Multi-Token-Prediction)</translation>
    </message>
    <message>
        <source>The traffic between the machines has no authentication and, for Ray, can run code: keep those ports on a private network.</source>
        <translation>Der Verkehr zwischen den Rechnern ist nicht authentifiziert und kann bei Ray Code ausführen: Halten Sie diese Ports in einem privaten Netz.</translation>
    </message>
    <message>
        <source>The API listens on this machine only: reach it through an SSH tunnel, or plan with the address it should listen on.</source>
        <translation>Die API lauscht nur auf diesem Rechner: Erreichen Sie sie über einen SSH-Tunnel oder planen Sie mit der Adresse, auf der sie lauschen soll.</translation>
    </message>
    <message>
        <source>mlx_lm.server has no API key: it listens on 127.0.0.1 only; use an SSH tunnel from another computer.</source>
        <translation>mlx_lm.server hat keinen API-Schlüssel: Es lauscht nur auf 127.0.0.1; nutzen Sie von einem anderen Computer aus einen SSH-Tunnel.</translation>
    </message>
    <message>
        <source>pip install vllm does not bring Ray; the install line adds it.</source>
        <translation>pip install vllm bringt Ray nicht mit; die Installationszeile fügt es hinzu.</translation>
    </message>
    <message>
        <source>Older llama.cpp builds and distribution packages call the worker rpc-server; -c keeps the weights it received in a local cache.</source>
        <translation>Ältere llama.cpp-Builds und Distributionspakete nennen den Arbeitsprozess rpc-server; -c hält die empfangenen Gewichte in einem lokalen Cache.</translation>
    </message>
    <message>
        <source>hf comes with huggingface_hub 1.x; the older huggingface-cli is gone.</source>
        <translation>hf kommt mit huggingface_hub 1.x; das ältere huggingface-cli gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>Layout: every layer on {devices} GPUs, the routed experts in system RAM.</source>
        <translation>Aufteilung: jede Schicht auf {devices} GPUs, die gerouteten Experten im Arbeitsspeicher.</translation>
    </message>
    <message>
        <source>Layout: {macs} Macs, a pipeline of {macs} stages.</source>
        <translation>Aufteilung: {macs} Macs, eine Pipeline mit {macs} Stufen.</translation>
    </message>
    <message>
        <source>Layout: one Mac.</source>
        <translation>Aufteilung: ein Mac.</translation>
    </message>
    <message>
        <source>Layout: {devices} devices with up to {layers} layers each.</source>
        <translation>Aufteilung: {devices} Geräte mit je bis zu {layers} Schichten.</translation>
    </message>
    <message>
        <source>Layout: tensor parallel {tp} × pipeline {pp}.</source>
        <translation>Aufteilung: Tensor-Parallelität {tp} × Pipeline {pp}.</translation>
    </message>
    <message>
        <source>Layout: tensor parallel {tp} over {nodes} machines.</source>
        <translation>Aufteilung: Tensor-Parallelität {tp} über {nodes} Rechner.</translation>
    </message>
    <message>
        <source>Layout: tensor parallel {tp}.</source>
        <translation>Aufteilung: Tensor-Parallelität {tp}.</translation>
    </message>
    <message>
        <source>{idle} GPUs stay idle: the tensor-parallel size must divide the attention heads.</source>
        <translation>{idle} GPUs bleiben ungenutzt: Die Tensor-Parallelität muss die Zahl der Attention-Heads teilen.</translation>
    </message>
</context>
<context>
    <name>EnginePresenter</name>
    <message>
        <source>The engine stopped. Send a message to start it again.</source>
        <translation>Die Engine wurde beendet. Senden Sie eine Nachricht, um sie neu zu starten.</translation>
    </message>
    <message>
        <source>Loading the model… you can send when it is ready.</source>
        <translation>Das Modell wird geladen … Sie können senden, sobald es bereit ist.</translation>
    </message>
    <message>
        <source>{model} could not be loaded. Retry, or choose another model in the toolbar.</source>
        <translation>{model} konnte nicht geladen werden. Versuchen Sie es erneut oder wählen Sie in der Werkzeugleiste ein anderes Modell.</translation>
    </message>
    <message>
        <source>The model is answering… (Esc stops it)</source>
        <translation>Das Modell antwortet … (Esc hält es an)</translation>
    </message>
    <message>
        <source>it is neither an installed model nor a file</source>
        <translation>es ist weder ein installiertes Modell noch eine Datei</translation>
    </message>
    <message>
        <source>its vocabulary is not the model&apos;s</source>
        <translation>sein Vokabular ist nicht das des Modells</translation>
    </message>
    <message>
        <source>it does not fit in memory beside the model</source>
        <translation>es passt nicht neben dem Modell in den Speicher</translation>
    </message>
    <message>
        <source>it could not be loaded</source>
        <translation>es konnte nicht geladen werden</translation>
    </message>
    <message>
        <source>The draft model {name} is not used: {why}. The model answers without it.</source>
        <translation>Das Entwurfsmodell {name} wird nicht verwendet: {why}. Das Modell antwortet ohne es.</translation>
    </message>
    <message>
        <source>Message DeepSeek… (Enter to send, Shift+Enter for a new line)</source>
        <translation>Nachricht an DeepSeek … (Eingabetaste sendet, Umschalt+Eingabe für eine neue Zeile)</translation>
    </message>
    <message>
        <source>Choose a model in the toolbar to start.</source>
        <translation>Wählen Sie in der Werkzeugleiste ein Modell, um zu beginnen.</translation>
    </message>
    <message>
        <source>The engine stopped unexpectedly. Your conversation is safe; press Restart, or send a message, to continue.</source>
        <translation>Die Engine wurde unerwartet beendet. Ihre Unterhaltung ist gesichert; klicken Sie auf „Neu starten“ oder senden Sie eine Nachricht, um fortzufahren.</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>{model} could not be loaded: {reason}</source>
        <translation>{model} konnte nicht geladen werden: {reason}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
</context>
<context>
    <name>EngineStatusWidget</name>
    <message>
        <source>Engine: not started</source>
        <translation>Engine: nicht gestartet</translation>
    </message>
    <message>
        <source>Engine: starting…</source>
        <translation>Engine: startet …</translation>
    </message>
    <message>
        <source>Loading {model}…</source>
        <translation>{model} wird geladen …</translation>
    </message>
    <message>
        <source>Ready: {model}</source>
        <translation>Bereit: {model}</translation>
    </message>
    <message>
        <source>Generating with {model}…</source>
        <translation>{model} antwortet …</translation>
    </message>
    <message>
        <source>Engine stopped</source>
        <translation>Engine beendet</translation>
    </message>
    <message>
        <source>Not loaded: {model}</source>
        <translation>Nicht geladen: {model}</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Try to load the model again</source>
        <translation>Das Modell erneut laden</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Start the engine again and reload the model</source>
        <translation>Engine neu starten und das Modell erneut laden</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Model file not found: {path}</source>
        <translation>Modelldatei nicht gefunden: {path}</translation>
    </message>
    <message>
        <source>llama.cpp cannot run this model architecture ({arch}): {path}</source>
        <translation>llama.cpp kann diese Modellarchitektur ({arch}) nicht ausführen: {path}</translation>
    </message>
    <message>
        <source>The model could not be loaded: {path}</source>
        <translation>Das Modell konnte nicht geladen werden: {path}</translation>
    </message>
    <message>
        <source>Not an MLX model folder (config.json, weights and tokenizer are needed): {path}</source>
        <translation>Kein MLX-Modellordner (config.json, Gewichte und Tokenizer werden benötigt): {path}</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <source>This is a folder, not a GGUF model file: {path}</source>
        <translation>Dies ist ein Ordner, keine GGUF-Modelldatei: {path}</translation>
    </message>
    <message>
        <source>This is not a file but a pipe, a device or a socket: {path}</source>
        <translation>Dies ist keine Datei, sondern eine Pipe, ein Gerät oder ein Socket: {path}</translation>
    </message>
    <message>
        <source>You have no permission to read the model file: {path}</source>
        <translation>Sie haben keine Berechtigung, die Modelldatei zu lesen: {path}</translation>
    </message>
    <message>
        <source>The model file could not be read: {path}</source>
        <translation>Die Modelldatei konnte nicht gelesen werden: {path}</translation>
    </message>
    <message>
        <source>The engine stopped unexpectedly.</source>
        <translation>Die Engine wurde unerwartet beendet.</translation>
    </message>
    <message>
        <source>The {engine} engine is not available on this computer.</source>
        <translation>Die Engine {engine} ist auf diesem Rechner nicht verfügbar.</translation>
    </message>
    <message>
        <source>Unknown engine: {engine}</source>
        <translation>Unbekannte Engine: {engine}</translation>
    </message>
    <message>
        <source>The {engine} engine needs {package} {needed}, but {installed} is installed.</source>
        <translation>Die Engine {engine} benötigt {package} {needed}, installiert ist aber {installed}.</translation>
    </message>
    <message>
        <source>The engine is busy with another reply.</source>
        <translation>Die Engine ist mit einer anderen Antwort beschäftigt.</translation>
    </message>
    <message>
        <source>llama.cpp could not load its backends: {reason}</source>
        <translation>llama.cpp konnte seine Backends nicht laden: {reason}</translation>
    </message>
    <message>
        <source>The model failed while answering.</source>
        <translation>Beim Antworten ist im Modell ein Fehler aufgetreten.</translation>
    </message>
    <message>
        <source>The conversation is {prompt_tokens} tokens long and does not fit the model&apos;s context of {n_ctx} tokens.</source>
        <translation>Die Unterhaltung ist {prompt_tokens} Token lang und passt nicht in den Kontext des Modells von {n_ctx} Token.</translation>
    </message>
    <message>
        <source>The loaded model cannot do this: {what}</source>
        <translation>Das geladene Modell kann das nicht: {what}</translation>
    </message>
    <message>
        <source>Cannot reach the server at {url}.</source>
        <translation>Der Server unter {url} ist nicht erreichbar.</translation>
    </message>
    <message>
        <source>The server refused the API key.</source>
        <translation>Der Server hat den API-Schlüssel abgelehnt.</translation>
    </message>
    <message>
        <source>The server does not know the model {model}.</source>
        <translation>Der Server kennt das Modell {model} nicht.</translation>
    </message>
    <message>
        <source>The server is busy (rate limited). Try again shortly.</source>
        <translation>Der Server ist ausgelastet (Ratenbegrenzung). Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The server sent an answer that could not be read.</source>
        <translation>Der Server hat eine unlesbare Antwort gesendet.</translation>
    </message>
    <message>
        <source>No API key is stored for {name}.</source>
        <translation>Für {name} ist kein API-Schlüssel gespeichert.</translation>
    </message>
    <message>
        <source>Invalid server address {url}: it must start with http:// or https:// and name a host.</source>
        <translation>Ungültige Serveradresse {url}: Sie muss mit http:// oder https:// beginnen und einen Host nennen.</translation>
    </message>
    <message>
        <source>The connection to {url} was cut during the reply; the part received so far was kept.</source>
        <translation>Die Verbindung zu {url} brach während der Antwort ab; der bis dahin empfangene Teil wurde behalten.</translation>
    </message>
    <message>
        <source>Which model? The server offers {count}: {models}.</source>
        <translation>Welches Modell? Der Server bietet {count} an: {models}.</translation>
    </message>
    <message>
        <source>Invalid input: {what}</source>
        <translation>Ungültige Eingabe: {what}</translation>
    </message>
    <message>
        <source>An NVIDIA GPU is here ({gpu}), but no engine for it is installed: get the GPU pack ({size}).</source>
        <translation>Eine NVIDIA-GPU ist vorhanden ({gpu}), aber keine Engine dafür ist installiert: Laden Sie das GPU-Paket herunter ({size}).</translation>
    </message>
    <message>
        <source>An NVIDIA GPU is here ({gpu}), but no engine for it is installed: get the GPU pack.</source>
        <translation>Eine NVIDIA-GPU ist vorhanden ({gpu}), aber keine Engine dafür ist installiert: Laden Sie das GPU-Paket herunter.</translation>
    </message>
    <message>
        <source>Vulkan found no GPU, but {gpu} is here: update the graphics driver.</source>
        <translation>Vulkan hat keine GPU gefunden, aber {gpu} ist vorhanden: Aktualisieren Sie den Grafiktreiber.</translation>
    </message>
    <message>
        <source>The GPU pack is installed but found no GPU, while {gpu} is here: update the NVIDIA driver.</source>
        <translation>Das GPU-Paket ist installiert, findet aber keine GPU, obwohl {gpu} vorhanden ist: Aktualisieren Sie den NVIDIA-Treiber.</translation>
    </message>
    <message>
        <source>The GPU could not take every layer ({reason}): {layers} of {total} run on it, the rest on the CPU.</source>
        <translation>Die GPU konnte nicht alle Schichten aufnehmen ({reason}): {layers} von {total} laufen auf ihr, der Rest auf der CPU.</translation>
    </message>
    <message>
        <source>The GPU could not take the model ({reason}): it runs on the CPU.</source>
        <translation>Die GPU konnte das Modell nicht aufnehmen ({reason}): Es läuft auf der CPU.</translation>
    </message>
    <message>
        <source>The device {device} chosen in the settings is not there: the automatic choice is used.</source>
        <translation>Das in den Einstellungen gewählte Gerät {device} ist nicht vorhanden: Die automatische Wahl wird verwendet.</translation>
    </message>
    <message>
        <source>Already installed as {name}.</source>
        <translation>Bereits installiert als {name}.</translation>
    </message>
    <message>
        <source>The download of {file} stalled: less than {rate} a second for {seconds} seconds, several times. Start it again to resume.</source>
        <translation>Der Download von {file} ist ins Stocken geraten: mehrmals weniger als {rate} pro Sekunde über {seconds} Sekunden. Starten Sie ihn erneut, um fortzusetzen.</translation>
    </message>
    <message>
        <source>The model server sent more than the {size} it listed for {file}; the download was stopped there.</source>
        <translation>Der Modellserver hat mehr als die angegebenen {size} für {file} gesendet; der Download wurde an dieser Stelle beendet.</translation>
    </message>
    <message>
        <source>The model server answered with something other than {file} (a web page?); nothing of it was kept.</source>
        <translation>Der Modellserver hat statt {file} etwas anderes gesendet (eine Webseite?); davon wurde nichts behalten.</translation>
    </message>
    <message>
        <source>Nothing was downloaded: {path} is a symbolic link that leads outside the models folder {folder}.</source>
        <translation>Es wurde nichts heruntergeladen: {path} ist eine symbolische Verknüpfung, die aus dem Modellordner {folder} hinausführt.</translation>
    </message>
    <message>
        <source>Nothing was downloaded: there is a symbolic link at {path}, where the model would be placed.</source>
        <translation>Es wurde nichts heruntergeladen: Unter {path}, wo das Modell abgelegt würde, liegt eine symbolische Verknüpfung.</translation>
    </message>
    <message>
        <source>There is no GPU pack for this computer ({platform}) and this version of the app.</source>
        <translation>Für diesen Computer ({platform}) und diese Version der App gibt es kein GPU-Paket.</translation>
    </message>
    <message>
        <source>The GPU pack {file} is damaged or not for this app; nothing was installed.</source>
        <translation>Das GPU-Paket {file} ist beschädigt oder nicht für diese App; es wurde nichts installiert.</translation>
    </message>
    <message>
        <source>The conversation database was damaged. It was moved to {path} and a new one was started.</source>
        <translation>Die Unterhaltungsdatenbank war beschädigt. Sie wurde nach {path} verschoben und eine neue angelegt.</translation>
    </message>
    <message>
        <source>The conversation database was damaged and was moved to {path}. {conversations} conversations with {messages} messages were recovered from it; some messages may be missing.</source>
        <translation>Die Unterhaltungsdatenbank war beschädigt und wurde nach {path} verschoben. {conversations} Unterhaltungen mit {messages} Nachrichten wurden daraus gerettet; einzelne Nachrichten fehlen eventuell.</translation>
    </message>
    <message>
        <source>The conversation database could not be opened: {path}</source>
        <translation>Die Unterhaltungsdatenbank konnte nicht geöffnet werden: {path}</translation>
    </message>
    <message>
        <source>The conversation database was written by a newer version of DeepSeek Desktop: {path}</source>
        <translation>Die Unterhaltungsdatenbank stammt von einer neueren Version von DeepSeek Desktop: {path}</translation>
    </message>
    <message>
        <source>The conversation database {path} could not be opened; conversations of this session will not be saved.</source>
        <translation>Die Unterhaltungsdatenbank {path} konnte nicht geöffnet werden; die Unterhaltungen dieser Sitzung werden nicht gespeichert.</translation>
    </message>
    <message>
        <source>The conversation database {path} is from a newer version of DeepSeek Desktop and was left as it is; conversations of this session will not be saved.</source>
        <translation>Die Unterhaltungsdatenbank {path} stammt von einer neueren Version von DeepSeek Desktop und bleibt unverändert; die Unterhaltungen dieser Sitzung werden nicht gespeichert.</translation>
    </message>
    <message>
        <source>The conversation could not be saved.</source>
        <translation>Die Unterhaltung konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>The conversations could not be read.</source>
        <translation>Die Unterhaltungen konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <source>This conversation or message no longer exists.</source>
        <translation>Diese Unterhaltung oder Nachricht gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>The conversation could not be exported to {path}.</source>
        <translation>Die Unterhaltung konnte nicht nach {path} exportiert werden.</translation>
    </message>
    <message>
        <source>This file is not a conversation exported by DeepSeek Desktop.</source>
        <translation>Diese Datei ist keine aus DeepSeek Desktop exportierte Unterhaltung.</translation>
    </message>
    <message>
        <source>The settings file was damaged and was moved to {path}. Default settings are used.</source>
        <translation>Die Einstellungsdatei war beschädigt und wurde nach {path} verschoben. Es gelten die Standardeinstellungen.</translation>
    </message>
    <message>
        <source>The settings file {path} cannot be read. Default settings are used, and changes are not saved until it can be read again.</source>
        <translation>Die Einstellungsdatei {path} kann nicht gelesen werden. Es gelten die Standardeinstellungen, und Änderungen werden erst wieder gespeichert, wenn sie lesbar ist.</translation>
    </message>
    <message>
        <source>Some settings had invalid values and were reset to their defaults: {keys}</source>
        <translation>Einige Einstellungen hatten ungültige Werte und wurden auf den Standard zurückgesetzt: {keys}</translation>
    </message>
    <message>
        <source>Invalid value for the setting {key}.</source>
        <translation>Ungültiger Wert für die Einstellung {key}.</translation>
    </message>
    <message>
        <source>The settings could not be saved to {path}.</source>
        <translation>Die Einstellungen konnten nicht in {path} gespeichert werden.</translation>
    </message>
    <message>
        <source>No system keyring is available: the API key for {name} is kept only until the app closes.</source>
        <translation>Kein Schlüsselbund verfügbar: Der API-Schlüssel für {name} wird nur bis zum Beenden der App behalten.</translation>
    </message>
    <message>
        <source>The system keyring did not accept the API key for {name}: it is kept only until the app closes.</source>
        <translation>Der Schlüsselbund hat den API-Schlüssel für {name} nicht angenommen: Er wird nur bis zum Beenden der App behalten.</translation>
    </message>
    <message>
        <source>A part of the split model is missing: {path}</source>
        <translation>Ein Teil des aufgeteilten Modells fehlt: {path}</translation>
    </message>
    <message>
        <source>Not a GGUF model file: {file} does not begin with the GGUF signature (in {folder}).</source>
        <translation>Keine GGUF-Modelldatei: {file} beginnt nicht mit der GGUF-Kennung (in {folder}).</translation>
    </message>
    <message>
        <source>{file} is a GGUF file of version {version}; this app reads versions 1 to 3 (in {folder}).</source>
        <translation>{file} ist eine GGUF-Datei der Version {version}; diese App liest die Versionen 1 bis 3 (in {folder}).</translation>
    </message>
    <message>
        <source>{file} is incomplete: the file ends before its data does (in {folder}).</source>
        <translation>{file} ist unvollständig: Die Datei endet vor ihren Daten (in {folder}).</translation>
    </message>
    <message>
        <source>The header of {file} is damaged: it cannot be read as a GGUF model file (in {folder}).</source>
        <translation>Der Kopf von {file} ist beschädigt: Er lässt sich nicht als GGUF-Modelldatei lesen (in {folder}).</translation>
    </message>
    <message>
        <source>{file} is incomplete: {present} of {expected} are there (in {folder}).</source>
        <translation>{file} ist unvollständig: {present} von {expected} sind vorhanden (in {folder}).</translation>
    </message>
    <message>
        <source>{file} is incomplete: {present} of {expected} are there. Download it again in the model manager.</source>
        <translation>{file} ist unvollständig: {present} von {expected} sind vorhanden. Laden Sie die Datei in der Modellverwaltung erneut herunter.</translation>
    </message>
    <message>
        <source>No installed model is called {name}.</source>
        <translation>Kein installiertes Modell heißt {name}.</translation>
    </message>
    <message>
        <source>A model called {name} is already installed.</source>
        <translation>Ein Modell namens {name} ist bereits installiert.</translation>
    </message>
    <message>
        <source>Unknown model: {model}</source>
        <translation>Unbekanntes Modell: {model}</translation>
    </message>
    <message>
        <source>{model} has no {quant} download (available: {available}).</source>
        <translation>Für {model} gibt es keinen Download in {quant} (verfügbar: {available}).</translation>
    </message>
    <message>
        <source>The model catalogue could not be read: {path}</source>
        <translation>Der Modellkatalog konnte nicht gelesen werden: {path}</translation>
    </message>
    <message>
        <source>Not enough free space in {folder}: {needed} needed, {free} free.</source>
        <translation>Nicht genug freier Platz in {folder}: {needed} nötig, {free} frei.</translation>
    </message>
    <message>
        <source>Not enough free file entries (inodes) in {folder}: {needed} needed, {free} free.</source>
        <translation>Nicht genug freie Dateieinträge (Inodes) in {folder}: {needed} nötig, {free} frei.</translation>
    </message>
    <message>
        <source>The folder {folder} cannot be written to.</source>
        <translation>In den Ordner {folder} kann nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>There is already a file at {path}.</source>
        <translation>Unter {path} gibt es bereits eine Datei.</translation>
    </message>
    <message>
        <source>Not removed: {path} is not inside the models folder {folder}.</source>
        <translation>Nicht entfernt: {path} liegt nicht im Modellordner {folder}.</translation>
    </message>
    <message>
        <source>Copying {path} failed.</source>
        <translation>Das Kopieren von {path} ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Cannot reach the model server at {url}. Check the network connection.</source>
        <translation>Der Modellserver unter {url} ist nicht erreichbar. Prüfen Sie die Netzwerkverbindung.</translation>
    </message>
    <message>
        <source>The model server refused access to {repo}; it may need a login or accepting its licence.</source>
        <translation>Der Modellserver verweigert den Zugriff auf {repo}; eventuell sind eine Anmeldung oder die Zustimmung zur Lizenz nötig.</translation>
    </message>
    <message>
        <source>The model server has no repository {repo}.</source>
        <translation>Auf dem Modellserver gibt es kein Repository {repo}.</translation>
    </message>
    <message>
        <source>The repository {repo} has no file {file}.</source>
        <translation>Im Repository {repo} gibt es keine Datei {file}.</translation>
    </message>
    <message>
        <source>The download of {file} was interrupted; start it again to resume.</source>
        <translation>Der Download von {file} wurde unterbrochen; starten Sie ihn erneut, um fortzusetzen.</translation>
    </message>
    <message>
        <source>The downloaded file {file} is damaged (checksum mismatch) and was removed.</source>
        <translation>Die heruntergeladene Datei {file} ist beschädigt (Prüfsumme stimmt nicht) und wurde entfernt.</translation>
    </message>
    <message>
        <source>The download was cancelled; start it again to resume.</source>
        <translation>Der Download wurde abgebrochen; starten Sie ihn erneut, um fortzusetzen.</translation>
    </message>
    <message>
        <source>The download of {file} failed.</source>
        <translation>Der Download von {file} ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>{file} is already being downloaded by another window or process.</source>
        <translation>{file} wird bereits von einem anderen Fenster oder Prozess heruntergeladen.</translation>
    </message>
    <message>
        <source>The model server listed a file with an unsafe name in {repo} ({file}); nothing was downloaded.</source>
        <translation>Der Modellserver hat in {repo} eine Datei mit unsicherem Namen aufgeführt ({file}); es wurde nichts heruntergeladen.</translation>
    </message>
    <message>
        <source>Interrupted.</source>
        <translation>Unterbrochen.</translation>
    </message>
    <message>
        <source>A RAM disk is not available on {platform}.</source>
        <translation>Unter {platform} ist keine RAM-Disk verfügbar.</translation>
    </message>
    <message>
        <source>Not enough memory for the model and a RAM disk: {needed} needed, {available} available.</source>
        <translation>Nicht genug Arbeitsspeicher für das Modell und eine RAM-Disk: {needed} nötig, {available} verfügbar.</translation>
    </message>
    <message>
        <source>The RAM disk could not be created.</source>
        <translation>Die RAM-Disk konnte nicht angelegt werden.</translation>
    </message>
    <message>
        <source>MLX cannot run this model architecture ({arch}): {path}</source>
        <translation>MLX kann diese Modellarchitektur ({arch}) nicht ausführen: {path}</translation>
    </message>
    <message>
        <source>The server at {url} stopped answering.</source>
        <translation>Der Server unter {url} antwortet nicht mehr.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate could not be verified: {url}</source>
        <translation>Das Zertifikat des Servers konnte nicht geprüft werden: {url}</translation>
    </message>
    <message>
        <source>The server at {url} failed (HTTP {status}).</source>
        <translation>Fehler auf dem Server unter {url} (HTTP {status}).</translation>
    </message>
    <message>
        <source>The server refused the request as invalid.</source>
        <translation>Der Server hat die Anfrage als ungültig abgelehnt.</translation>
    </message>
    <message>
        <source>The account at the server has no credit left.</source>
        <translation>Das Konto beim Server hat kein Guthaben mehr.</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Etwas ist schiefgelaufen: {error}</translation>
    </message>
    <message>
        <source>Something went wrong; the details are in the log.</source>
        <translation>Etwas ist schiefgegangen; die Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Exported from DeepSeek Desktop on {date}</source>
        <translation>Aus DeepSeek Desktop exportiert am {date}</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Systemprompt</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Denkprozess</translation>
    </message>
    <message>
        <source>Reasoning ({seconds} s)</source>
        <translation>Denkprozess ({seconds} s)</translation>
    </message>
    <message>
        <source>(stopped by the user)</source>
        <translation>(vom Benutzer gestoppt)</translation>
    </message>
    <message>
        <source>(interrupted: the app stopped during this reply)</source>
        <translation>(unterbrochen: Die App wurde während dieser Antwort beendet)</translation>
    </message>
    <message>
        <source>(failed: {error})</source>
        <translation>(fehlgeschlagen: {error})</translation>
    </message>
    <message>
        <source>Export as JSON</source>
        <translation>Als JSON exportieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export as Markdown</source>
        <translation>Als Markdown exportieren</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>{path} gespeichert</translation>
    </message>
</context>
<context>
    <name>FitBadge</name>
    <message>
        <source>Runs on the GPU</source>
        <translation>Läuft auf der GPU</translation>
    </message>
    <message>
        <source>Partly on the GPU</source>
        <translation>Teilweise auf der GPU</translation>
    </message>
    <message>
        <source>Runs on the CPU</source>
        <translation>Läuft auf der CPU</translation>
    </message>
    <message>
        <source>Too big for this computer</source>
        <translation>Zu groß für diesen Rechner</translation>
    </message>
    <message>
        <source>Fast</source>
        <translation>Schnell</translation>
    </message>
    <message>
        <source>Usable</source>
        <translation>Brauchbar</translation>
    </message>
    <message>
        <source>Slow</source>
        <translation>Langsam</translation>
    </message>
    <message>
        <source>Does not fit</source>
        <translation>Passt nicht</translation>
    </message>
    <message>
        <source>about {wait} for {n} tokens</source>
        <translation>etwa {wait} für {n} Token</translation>
    </message>
    <message>
        <source>This computer: {free} of {total} memory free.</source>
        <translation>Dieser Rechner: {free} von {total} Arbeitsspeicher frei.</translation>
    </message>
    <message>
        <source>GPU memory: {free} free of {total}; usable for the model: {budget}.</source>
        <translation>GPU-Speicher: {free} von {total} frei; für das Modell nutzbar: {budget}.</translation>
    </message>
    <message>
        <source>No GPU found: the model runs on the processor.</source>
        <translation>Keine GPU gefunden: Das Modell läuft auf dem Prozessor.</translation>
    </message>
    <message>
        <source>Suggested GPU layers: {n} of {layers}.</source>
        <translation>Empfohlene GPU-Layer: {n} von {layers}.</translation>
    </message>
    <message>
        <source>It would fit if other programs released memory.</source>
        <translation>Es würde passen, wenn andere Programme Speicher freigäben.</translation>
    </message>
    <message>
        <source>Roughly {speed} tokens per second (estimated from memory bandwidth).</source>
        <translation>Ungefähr {speed} Token pro Sekunde (aus der Speicherbandbreite geschätzt).</translation>
    </message>
    <message>
        <source>Runs with every layer on the GPU and its experts ({size}) in system RAM: turn on “Experts in system RAM” and set GPU layers to All in the settings.</source>
        <translation>Läuft mit jeder Schicht auf der GPU und ihren Experten ({size}) im Arbeitsspeicher: Schalten Sie in den Einstellungen „Experten im Arbeitsspeicher“ ein und setzen Sie GPU-Layer auf „Alle“.</translation>
    </message>
    <message>
        <source>~{speed} tokens/s</source>
        <translation>~{speed} Token/s</translation>
    </message>
    <message>
        <source>Runs on {url}. Your messages are sent there.</source>
        <translation>Läuft auf {url}. Ihre Nachrichten werden dorthin gesendet.</translation>
    </message>
    <message>
        <source>Needs about {total}: weights {weights}, context cache {kv} for {ctx} tokens, working memory {compute}.</source>
        <translation>Braucht etwa {total}: Gewichte {weights}, Kontext-Cache {kv} für {ctx} Token, Arbeitsspeicher {compute}.</translation>
    </message>
    <message>
        <source>No model runs: the simulator answers from a few built-in topics.</source>
        <translation>Kein Modell läuft: Der Simulator antwortet aus einigen eingebauten Themen.</translation>
    </message>
    <message>
        <source>This computer: {ram} of memory free.</source>
        <translation>Dieser Rechner: {ram} Arbeitsspeicher frei.</translation>
    </message>
    <message>
        <source>GPU memory usable on {gpu}: {size}.</source>
        <translation>Nutzbarer GPU-Speicher auf {gpu}: {size}.</translation>
    </message>
    <message>
        <source>Suggested GPU layers: {n}.</source>
        <translation>Empfohlene GPU-Layer: {n}.</translation>
    </message>
</context>
<context>
    <name>GpuPackOffer</name>
    <message>
        <source>The GPU pack {name} ({backend}) is installed; the engine uses it from its next start.</source>
        <translation>Das GPU-Paket {name} ({backend}) ist installiert; die Engine verwendet es ab ihrem nächsten Start.</translation>
    </message>
    <message>
        <source>The GPU pack could not be installed; the details are in the log.</source>
        <translation>Das GPU-Paket konnte nicht installiert werden; die Einzelheiten stehen im Protokoll.</translation>
    </message>
    <message>
        <source>Getting the GPU pack… {percent}</source>
        <translation>GPU-Paket wird geladen… {percent}</translation>
    </message>
    <message>
        <source>Get the GPU pack</source>
        <translation>GPU-Paket holen</translation>
    </message>
    <message>
        <source>Downloads llama.cpp&apos;s CUDA engine for the NVIDIA GPU into the data folder; it is used from the engine&apos;s next start.</source>
        <translation>Lädt die CUDA-Engine von llama.cpp für die NVIDIA-GPU in den Datenordner; sie wird ab dem nächsten Start der Engine verwendet.</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About DeepSeek Desktop</source>
        <translation>&amp;Über DeepSeek Desktop</translation>
    </message>
</context>
<context>
    <name>InstalledList</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Quantisation</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Drag a .gguf file or an MLX model folder onto this window to add it. It is checked first; a damaged file is not added.</source>
        <translation>Ziehen Sie eine .gguf-Datei oder einen MLX-Modellordner in dieses Fenster, um sie hinzuzufügen. Sie wird zuerst geprüft; eine beschädigte Datei wird nicht hinzugefügt.</translation>
    </message>
    <message>
        <source>Copy into the models folder</source>
        <translation>In den Modellordner kopieren</translation>
    </message>
    <message>
        <source>Otherwise the model is used where it is, and stays there.</source>
        <translation>Sonst wird das Modell an seinem Ort verwendet und bleibt dort.</translation>
    </message>
    <message>
        <source>Add a model file…</source>
        <translation>Modelldatei hinzufügen …</translation>
    </message>
    <message>
        <source>No models installed yet.
Download one from the catalogue, or drop a .gguf file or an MLX model folder here.</source>
        <translation>Noch keine Modelle installiert.
Laden Sie eines aus dem Katalog herunter oder ziehen Sie eine .gguf-Datei oder einen MLX-Modellordner hierher.</translation>
    </message>
    <message>
        <source>{name} (generic chat template)</source>
        <translation>{name} (allgemeine Chat-Vorlage)</translation>
    </message>
    <message>
        <source>Files missing: {path}</source>
        <translation>Dateien fehlen: {path}</translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen …</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Vergessen</translation>
    </message>
    <message>
        <source>Delete the model&apos;s files from the models folder</source>
        <translation>Die Dateien des Modells aus dem Modellordner löschen</translation>
    </message>
    <message>
        <source>Remove it from this list; its files stay where they are</source>
        <translation>Aus der Liste entfernen; die Dateien bleiben, wo sie sind</translation>
    </message>
    <message>
        <source>Models folder (not added yet)</source>
        <translation>Modellordner (noch nicht hinzugefügt)</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Check the model and add it to the list</source>
        <translation>Modell prüfen und zur Liste hinzufügen</translation>
    </message>
</context>
<context>
    <name>KeyboardMap</name>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>New line in the message</source>
        <translation>Neue Zeile in der Nachricht</translation>
    </message>
    <message>
        <source>Stop the reply</source>
        <translation>Antwort anhalten</translation>
    </message>
    <message>
        <source>Back to the message box</source>
        <translation>Zurück zum Nachrichtenfeld</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Next conversation</source>
        <translation>Nächste Unterhaltung</translation>
    </message>
    <message>
        <source>Previous conversation</source>
        <translation>Vorige Unterhaltung</translation>
    </message>
    <message>
        <source>Regenerate the last reply</source>
        <translation>Letzte Antwort neu erzeugen</translation>
    </message>
    <message>
        <source>Copy the last reply</source>
        <translation>Letzte Antwort kopieren</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Clear the search</source>
        <translation>Suche leeren</translation>
    </message>
    <message>
        <source>Rename the selected conversation</source>
        <translation>Ausgewählte Unterhaltung umbenennen</translation>
    </message>
    <message>
        <source>Delete the selected conversation (with Undo)</source>
        <translation>Ausgewählte Unterhaltung löschen (mit Rückgängig)</translation>
    </message>
    <message>
        <source>Undo the last deletion of a conversation (in a text box: once there is no typing left to undo)</source>
        <translation>Letztes Löschen einer Unterhaltung rückgängig machen (in einem Textfeld: sobald keine Eingabe mehr rückgängig zu machen ist)</translation>
    </message>
    <message>
        <source>Open the selected conversation&apos;s menu (export, rename, delete)</source>
        <translation>Menü der ausgewählten Unterhaltung öffnen (exportieren, umbenennen, löschen)</translation>
    </message>
    <message>
        <source>Save the edited question and send it</source>
        <translation>Geänderte Frage speichern und senden</translation>
    </message>
    <message>
        <source>New line in the edited question</source>
        <translation>Neue Zeile in der geänderten Frage</translation>
    </message>
    <message>
        <source>Cancel the edit</source>
        <translation>Bearbeiten abbrechen</translation>
    </message>
    <message>
        <source>Open the model manager</source>
        <translation>Modellverwaltung öffnen</translation>
    </message>
    <message>
        <source>Open the settings</source>
        <translation>Einstellungen öffnen</translation>
    </message>
    <message>
        <source>Show this list of shortcuts</source>
        <translation>Diese Liste der Tastenkürzel anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Move to the next or previous control</source>
        <translation>Zum nächsten oder vorherigen Bedienelement wechseln</translation>
    </message>
    <message>
        <source>Anywhere in the window</source>
        <translation>Überall im Fenster</translation>
    </message>
    <message>
        <source>In the list of conversations</source>
        <translation>In der Liste der Unterhaltungen</translation>
    </message>
    <message>
        <source>In the search field</source>
        <translation>Im Suchfeld</translation>
    </message>
    <message>
        <source>In the message box</source>
        <translation>Im Nachrichtenfeld</translation>
    </message>
    <message>
        <source>While editing a question</source>
        <translation>Beim Bearbeiten einer Frage</translation>
    </message>
</context>
<context>
    <name>KeyboardMapDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Every control can be reached with Tab; the one with the focus is outlined.</source>
        <translation>Jedes Bedienelement ist mit der Tabulatortaste erreichbar; das Element mit dem Fokus ist umrandet.</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
</context>
<context>
    <name>LaunchPlan</name>
    <message>
        <source>the smaller quantisation {quant}</source>
        <translation>der kleineren Quantisierung {quant}</translation>
    </message>
    <message>
        <source>a context of {ctx} tokens</source>
        <translation>einem Kontext von {ctx} Tokens</translation>
    </message>
    <message>
        <source>the {precision} weights</source>
        <translation>den {precision}-Gewichten</translation>
    </message>
    <message>
        <source>{gpus} GPUs ({nodes} × {per_node}) with {quant}</source>
        <translation>{gpus} GPUs ({nodes} × {per_node}) mit {quant}</translation>
    </message>
    <message>
        <source>{gpus} GPUs ({nodes} × {per_node})</source>
        <translation>{gpus} GPUs ({nodes} × {per_node})</translation>
    </message>
    <message>
        <source>DeepSeek&apos;s API (model {model})</source>
        <translation>der DeepSeek-API (Modell {model})</translation>
    </message>
</context>
<context>
    <name>LaunchPlannerDialog</name>
    <message>
        <source>{model} on my cluster</source>
        <translation>{model} auf meinem Cluster</translation>
    </message>
    <message>
        <source>Give the server a name and its address.</source>
        <translation>Geben Sie dem Server einen Namen und seine Adresse.</translation>
    </message>
    <message>
        <source>Testing {url}…</source>
        <translation>{url} wird geprüft…</translation>
    </message>
    <message>
        <source>Connected: the chat now uses {model} on {url} ({count} models listed).</source>
        <translation>Verbunden: Der Chat verwendet jetzt {model} auf {url} ({count} Modelle gelistet).</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Run on your own GPUs</source>
        <translation>Auf eigenen GPUs ausführen</translation>
    </message>
    <message>
        <source>Model and hardware</source>
        <translation>Modell und Hardware</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Machines</source>
        <translation>Rechner</translation>
    </message>
    <message>
        <source>GPUs each</source>
        <translation>GPUs je Rechner</translation>
    </message>
    <message>
        <source>Memory per GPU</source>
        <translation>Speicher je GPU</translation>
    </message>
    <message>
        <source>GPU maker</source>
        <translation>GPU-Hersteller</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>Adressen</translation>
    </message>
    <message>
        <source>RAM each</source>
        <translation>RAM je Rechner</translation>
    </message>
    <message>
        <source>The machines&apos; network addresses, the head first, separated by commas</source>
        <translation>Die Netzwerkadressen der Rechner, der Hauptknoten zuerst, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Apple (Mac)</source>
        <translation>Apple (Mac)</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>Nur CPU</translation>
    </message>
    <message>
        <source>Your own</source>
        <translation>Eigene Angaben</translation>
    </message>
    <message>
        <source>{nodes} machines × {gpus} × {gpu}</source>
        <translation>{nodes} Rechner × {gpus} × {gpu}</translation>
    </message>
    <message>
        <source>{gpus} × {gpu}</source>
        <translation>{gpus} × {gpu}</translation>
    </message>
    <message>
        <source>Connect the app to the server</source>
        <translation>App mit dem Server verbinden</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Model name</source>
        <translation>Modellname</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>optional, kept in the system keyring</source>
        <translation>optional, im System-Schlüsselbund</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Use DeepSeek&apos;s API…</source>
        <translation>DeepSeek-API verwenden…</translation>
    </message>
</context>
<context>
    <name>LocalServer</name>
    <message>
        <source>The local server needs an API key to listen on {host}: set one in the settings (Local server, Set API key…).</source>
        <translation>Der lokale Server braucht einen API-Schlüssel, um auf {host} zu lauschen: Legen Sie einen in den Einstellungen fest (Lokaler Server, API-Schlüssel festlegen …).</translation>
    </message>
    <message>
        <source>The local server could not listen on {host}: {reason}</source>
        <translation>Der lokale Server konnte nicht auf {host} lauschen: {reason}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The new setting applies when the model is loaded again.</source>
        <translation>Die neue Einstellung gilt, sobald das Modell neu geladen wird.</translation>
    </message>
    <message>
        <source>Reload now</source>
        <translation>Jetzt neu laden</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Conversation deleted. {keys} brings it back.</source>
        <translation>Unterhaltung gelöscht. {keys} holt sie zurück.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Systemprompt</translation>
    </message>
    <message>
        <source>Instructions the model gets before this conversation:</source>
        <translation>Anweisungen, die das Modell vor dieser Unterhaltung erhält:</translation>
    </message>
    <message>
        <source>DeepSeek Desktop</source>
        <translation>DeepSeek Desktop</translation>
    </message>
    <message>
        <source>System prompt…</source>
        <translation>Systemprompt …</translation>
    </message>
    <message>
        <source>Set the instructions for this conversation</source>
        <translation>Anweisungen für diese Unterhaltung festlegen</translation>
    </message>
    <message>
        <source>The list of conversations could not be read.</source>
        <translation>Die Liste der Unterhaltungen konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The conversation could not be opened.</source>
        <translation>Die Unterhaltung konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>The conversation could not be renamed.</source>
        <translation>Die Unterhaltung konnte nicht umbenannt werden.</translation>
    </message>
    <message>
        <source>The conversation could not be deleted.</source>
        <translation>Die Unterhaltung konnte nicht gelöscht werden.</translation>
    </message>
    <message>
        <source>The conversation could not be restored.</source>
        <translation>Die Unterhaltung konnte nicht wiederhergestellt werden.</translation>
    </message>
    <message>
        <source>The system prompt could not be saved.</source>
        <translation>Der Systemprompt konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>The list of models could not be read.</source>
        <translation>Die Liste der Modelle konnte nicht gelesen werden.</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>Diese Nachricht kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Edit this message and send it again</source>
        <translation>Diese Nachricht bearbeiten und erneut senden</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Answer this question again</source>
        <translation>Diese Frage noch einmal beantworten</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Code kopieren</translation>
    </message>
    <message>
        <source>Edit the question</source>
        <translation>Frage bearbeiten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Save and send</source>
        <translation>Speichern und senden</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Token</numerusform>
        </translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} Token/s</translation>
    </message>
    <message>
        <source>first token after {seconds} s</source>
        <translation>erstes Token nach {seconds} s</translation>
    </message>
    <message numerus="yes">
        <source>%n prompt token(s)</source>
        <translation>
            <numerusform>%n Prompt-Token</numerusform>
            <numerusform>%n Prompt-Token</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n newly read</source>
        <translation>
            <numerusform>davon %n neu gelesen</numerusform>
            <numerusform>davon %n neu gelesen</numerusform>
        </translation>
    </message>
    <message>
        <source>{percent} % of the tokens drafted by {model} accepted</source>
        <translation>{percent} % der von {model} entworfenen Tokens angenommen</translation>
    </message>
    <message>
        <source>{percent} % of drafted tokens accepted</source>
        <translation>{percent} % der vorab geratenen Tokens übernommen</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) did not fit the model&apos;s context and were left out of this reply.</source>
        <translation>
            <numerusform>Die älteste Nachricht passte nicht in den Kontext des Modells und wurde für diese Antwort weggelassen.</numerusform>
            <numerusform>Die %n ältesten Nachrichten passten nicht in den Kontext des Modells und wurden für diese Antwort weggelassen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Interrupted: the app or the engine stopped during this reply</source>
        <translation>Unterbrochen: Die App oder die Engine wurde während dieser Antwort beendet</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ModelDetail</name>
    <message>
        <source>Choose a model on the left.</source>
        <translation>Wählen Sie links ein Modell.</translation>
    </message>
    <message>
        <source>{params} parameters</source>
        <translation>{params} Parameter</translation>
    </message>
    <message>
        <source>{active} active per token (mixture of experts)</source>
        <translation>{active} aktiv pro Token (Mixture of Experts)</translation>
    </message>
    <message>
        <source>up to {ctx} tokens of context</source>
        <translation>bis zu {ctx} Token Kontext</translation>
    </message>
    <message>
        <source>licence: {licence}</source>
        <translation>Lizenz: {licence}</translation>
    </message>
    <message>
        <source>released {date}</source>
        <translation>veröffentlicht {date}</translation>
    </message>
    <message>
        <source>Original model: {link}</source>
        <translation>Originalmodell: {link}</translation>
    </message>
    <message>
        <source>Too big for this computer: even its smallest download needs about {need} of memory. DeepSeek&apos;s API runs it (model “{api}”), or a cluster or server of your own with an OpenAI-compatible API.</source>
        <translation>Zu groß für diesen Rechner: Selbst der kleinste Download braucht etwa {need} Speicher. Die DeepSeek-API führt es aus (Modell „{api}“), ebenso ein eigener Cluster oder Server mit OpenAI-kompatibler API.</translation>
    </message>
    <message>
        <source>Set up a remote server…</source>
        <translation>Entfernten Server einrichten …</translation>
    </message>
    <message>
        <source>Downloads · GGUF from {repo}</source>
        <translation>Downloads · GGUF von {repo}</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <source>None of this model&apos;s downloads fits this computer. Choose “All models” to see them anyway.</source>
        <translation>Keiner der Downloads dieses Modells passt auf diesen Rechner. Wählen Sie „Alle Modelle“, um sie trotzdem zu sehen.</translation>
    </message>
    <message>
        <source>Estimates for {ctx} tokens of context and a {cache} context cache. Hover over a verdict for the figures.</source>
        <translation>Schätzungen für {ctx} Token Kontext und einen {cache}-Kontext-Cache. Zeigen Sie auf eine Einschätzung, um die Zahlen zu sehen.</translation>
    </message>
</context>
<context>
    <name>ModelFacts</name>
    <message>
        <source>{n} B</source>
        <translation>{n} Mrd.</translation>
    </message>
    <message>
        <source>{n} M</source>
        <translation>{n} Mio.</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Schlussfolgern</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>{n}K</source>
        <translation>{n}K</translation>
    </message>
    <message>
        <source>{own} (base model {base}: {licence})</source>
        <translation>{own} (Basismodell {base}: {licence})</translation>
    </message>
    <message>
        <source>{licence} (commercial use allowed)</source>
        <translation>{licence} (kommerzielle Nutzung erlaubt)</translation>
    </message>
</context>
<context>
    <name>ModelListEntry</name>
    <message>
        <source>Best download: {verdict}</source>
        <translation>Bester Download: {verdict}</translation>
    </message>
</context>
<context>
    <name>ModelManagerWindow</name>
    <message>
        <source>Models are kept in {folder} from now on.</source>
        <translation>Modelle werden ab jetzt in {folder} gespeichert.</translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation>Modellordner auswählen</translation>
    </message>
    <message>
        <source>The download of {name} failed: {reason}</source>
        <translation>Der Download von {name} ist fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>Downloaded {name}. Choose it in the toolbar to chat with it.</source>
        <translation>{name} heruntergeladen. Wählen Sie es in der Symbolleiste, um damit zu chatten.</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Modell löschen</translation>
    </message>
    <message>
        <source>Delete {name}? Its files ({size}) are removed from the models folder.</source>
        <translation>{name} löschen? Die Dateien ({size}) werden aus dem Modellordner entfernt.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Deleted {name}.</source>
        <translation>{name} gelöscht.</translation>
    </message>
    <message>
        <source>{name} was removed from the list; its files are still at {path}.</source>
        <translation>{name} wurde aus der Liste entfernt; die Dateien liegen weiter unter {path}.</translation>
    </message>
    <message>
        <source>Add a model file</source>
        <translation>Modelldatei hinzufügen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message>
        <source>Copying {names} into the models folder…</source>
        <translation>{names} wird in den Modellordner kopiert …</translation>
    </message>
    <message>
        <source>Checking {names}…</source>
        <translation>{names} wird geprüft …</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>Installed ({count})</source>
        <translation>Installiert ({count})</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
</context>
<context>
    <name>ModelOpener</name>
    <message>
        <source>The model file could not be opened.</source>
        <translation>Die Modelldatei konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>{name} is ready. A reply is still running: load the model when you want to chat with it.</source>
        <translation>{name} ist bereit. Eine Antwort läuft noch: Laden Sie das Modell, wenn Sie damit chatten möchten.</translation>
    </message>
    <message>
        <source>Load {name}</source>
        <translation>{name} laden</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>remote</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>built-in answers</source>
        <translation>eingebaute Antworten</translation>
    </message>
    <message>
        <source>Simulator (no model)</source>
        <translation>Simulator (kein Modell)</translation>
    </message>
    <message>
        <source>The model that answers. Switching keeps the conversation.</source>
        <translation>Das Modell, das antwortet. Beim Wechsel bleibt die Unterhaltung erhalten.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelle …</translation>
    </message>
    <message>
        <source>Find, download and import models</source>
        <translation>Modelle finden, herunterladen und importieren</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen …</translation>
    </message>
    <message>
        <source>Runs on a server</source>
        <translation>Läuft auf einem Server</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>How the model fits this computer: {verdict}</source>
        <translation>Wie das Modell auf diesen Rechner passt: {verdict}</translation>
    </message>
</context>
<context>
    <name>ModelSwitcher</name>
    <message>
        <source>{model} (copying to the RAM disk)</source>
        <translation>{model} (wird auf die RAM-Disk kopiert)</translation>
    </message>
    <message>
        <source>The model is read from the drive instead of a RAM disk: {reason}</source>
        <translation>Das Modell wird vom Laufwerk statt von einer RAM-Disk gelesen: {reason}</translation>
    </message>
</context>
<context>
    <name>ModelsFolderPanel</name>
    <message>
        <source>Models folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Ändern …</translation>
    </message>
    <message>
        <source>Keep models in another folder, e.g. on a bigger drive</source>
        <translation>Modelle in einem anderen Ordner ablegen, z. B. auf einem größeren Laufwerk</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Show the folder in the file manager</source>
        <translation>Ordner im Dateimanager zeigen</translation>
    </message>
    <message>
        <source>Load models from a RAM disk</source>
        <translation>Modelle von einer RAM-Disk laden</translation>
    </message>
    <message>
        <source>Copies the model into memory before loading it: for a slow or nearly full drive.</source>
        <translation>Kopiert das Modell vor dem Laden in den Arbeitsspeicher: für ein langsames oder fast volles Laufwerk.</translation>
    </message>
    <message>
        <source>A RAM disk needs free memory as large as the model file, on top of what the model itself needs. It is emptied when the app quits.</source>
        <translation>Eine RAM-Disk braucht zusätzlich zum Bedarf des Modells so viel freien Speicher, wie die Modelldatei groß ist. Sie wird beim Beenden der App geleert.</translation>
    </message>
    <message>
        <source>Not available here: {reason}</source>
        <translation>Hier nicht verfügbar: {reason}</translation>
    </message>
    <message>
        <source>Room for a RAM disk now: {size}.</source>
        <translation>Platz für eine RAM-Disk zurzeit: {size}.</translation>
    </message>
    <message>
        <source>Windows needs a third-party driver for a RAM disk.</source>
        <translation>Windows braucht für eine RAM-Disk einen Treiber eines Drittanbieters.</translation>
    </message>
    <message>
        <source>there is no /dev/shm, and mounting a RAM disk needs administrator rights.</source>
        <translation>es gibt kein /dev/shm, und das Einhängen einer RAM-Disk braucht Administratorrechte.</translation>
    </message>
    <message>
        <source>Checking the free space…</source>
        <translation>Freier Platz wird geprüft …</translation>
    </message>
    <message>
        <source>{free} free of {total}</source>
        <translation>{free} von {total} frei</translation>
    </message>
    <message>
        <source>no limit on the number of files</source>
        <translation>keine Begrenzung der Dateianzahl</translation>
    </message>
    <message>
        <source>{inodes} file entries (inodes) free</source>
        <translation>{inodes} Dateieinträge (Inodes) frei</translation>
    </message>
    <message>
        <source>the macOS tool hdiutil was not found.</source>
        <translation>das macOS-Programm hdiutil wurde nicht gefunden.</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Close the message</source>
        <translation>Meldung schließen</translation>
    </message>
</context>
<context>
    <name>QuantRow</name>
    <message>
        <source>Recommended</source>
        <translation>Empfohlen</translation>
    </message>
    <message>
        <source>Download size</source>
        <translation>Downloadgröße</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Wird heruntergeladen …</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>{done} of {total} are already downloaded.</source>
        <translation>{done} von {total} sind bereits heruntergeladen.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Download {size} into the models folder</source>
        <translation>{size} in den Modellordner herunterladen</translation>
    </message>
</context>
<context>
    <name>RecommendationCard</name>
    <message>
        <source>Recommended for this computer</source>
        <translation>Empfohlen für diesen Rechner</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Set up a remote server…</source>
        <translation>Entfernten Server einrichten …</translation>
    </message>
    <message>
        <source>Plan the launch on your own GPUs or cluster, or use DeepSeek&apos;s API</source>
        <translation>Den Start auf eigenen GPUs oder einem Cluster planen oder die DeepSeek-API verwenden</translation>
    </message>
    <message>
        <source>Checking this computer…</source>
        <translation>Dieser Rechner wird geprüft …</translation>
    </message>
    <message>
        <source>None of the catalogue&apos;s models fits this computer&apos;s free memory ({free}). A remote server can run them.</source>
        <translation>Keines der Modelle im Katalog passt in den freien Speicher dieses Rechners ({free}). Ein entfernter Server kann sie ausführen.</translation>
    </message>
    <message>
        <source>{name} · {quant} · {size} download</source>
        <translation>{name} · {quant} · {size} Download</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Wird heruntergeladen …</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>{done} already downloaded</source>
        <translation>{done} bereits heruntergeladen</translation>
    </message>
    <message>
        <source>For a quick first try: {name} · {quant} · {size} download</source>
        <translation>Für einen schnellen ersten Versuch: {name} · {quant} · {size} Download</translation>
    </message>
    <message>
        <source>Too big to run here: {names}. Use them through DeepSeek&apos;s API or a cluster of your own.</source>
        <translation>Zu groß für diesen Rechner: {names}. Nutzen Sie sie über die DeepSeek-API oder einen eigenen Cluster.</translation>
    </message>
</context>
<context>
    <name>RequestLogView</name>
    <message>
        <source>Local server: recent requests</source>
        <translation>Lokaler Server: letzte Anfragen</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>ServerKeyRow</name>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>The key other programs must send (Authorization: Bearer …). It is kept in the system keyring:</source>
        <translation>Der Schlüssel, den andere Programme senden müssen (Authorization: Bearer …). Er wird im Schlüsselbund des Systems gespeichert:</translation>
    </message>
    <message>
        <source>The key other programs must send. No system keyring is available: the key is kept only until the app quits.</source>
        <translation>Der Schlüssel, den andere Programme senden müssen. Es ist kein Schlüsselbund des Systems verfügbar: Der Schlüssel wird nur bis zum Beenden der App behalten.</translation>
    </message>
    <message>
        <source>The local server&apos;s API key is stored.</source>
        <translation>Der API-Schlüssel des lokalen Servers ist gespeichert.</translation>
    </message>
    <message>
        <source>The local server&apos;s API key is removed.</source>
        <translation>Der API-Schlüssel des lokalen Servers ist entfernt.</translation>
    </message>
    <message>
        <source>Set API key…</source>
        <translation>API-Schlüssel festlegen …</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>Schlüssel entfernen</translation>
    </message>
    <message>
        <source>A key is set. Requests from other computers must send it.</source>
        <translation>Ein Schlüssel ist festgelegt. Anfragen von anderen Computern müssen ihn senden.</translation>
    </message>
    <message>
        <source>No key is set: the server can only listen on this computer (127.0.0.1).</source>
        <translation>Kein Schlüssel festgelegt: Der Server kann nur auf diesem Computer lauschen (127.0.0.1).</translation>
    </message>
</context>
<context>
    <name>ServerStatusWidget</name>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>API server on {address} · {running} running, {waiting} waiting</source>
        <translation>API-Server auf {address} · {running} laufend, {waiting} wartend</translation>
    </message>
    <message>
        <source>OpenAI: {openai}
Ollama: {ollama}</source>
        <translation>OpenAI: {openai}
Ollama: {ollama}</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>llama.cpp</source>
        <translation>llama.cpp</translation>
    </message>
    <message>
        <source>Remote servers</source>
        <translation>Entfernte Server</translation>
    </message>
    <message>
        <source>Simulator</source>
        <translation>Simulator</translation>
    </message>
    <message>
        <source>Local server</source>
        <translation>Lokaler Server</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Deutsch</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Engine</translation>
    </message>
    <message>
        <source>Automatic uses llama.cpp for GGUF files, MLX for MLX model folders and the simulator when no model is chosen.</source>
        <translation>„Automatisch“ nutzt llama.cpp für GGUF-Dateien, MLX für MLX-Modellordner und den Simulator, wenn kein Modell gewählt ist.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Processor (CPU)</source>
        <translation>Prozessor (CPU)</translation>
    </message>
    <message>
        <source>{device} (not found)</source>
        <translation>{device} (nicht gefunden)</translation>
    </message>
    <message>
        <source>MLX (Apple Silicon)</source>
        <translation>MLX (Apple Silicon)</translation>
    </message>
    <message>
        <source>Remote server</source>
        <translation>Entfernter Server</translation>
    </message>
    <message>
        <source>Simulator (no model)</source>
        <translation>Simulator (kein Modell)</translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Where downloaded models are kept. Empty: the app&apos;s own folder.</source>
        <translation>Wo heruntergeladene Modelle liegen. Leer: der eigene Ordner der App.</translation>
    </message>
    <message>
        <source>Load models from a RAM disk</source>
        <translation>Modelle von einer RAM-Disk laden</translation>
    </message>
    <message>
        <source>Copies the model into memory before loading it: for a slow or nearly full drive. A RAM disk needs free memory as large as the model file, on top of what the model itself needs. It is emptied when the app quits.</source>
        <translation>Kopiert das Modell vor dem Laden in den Arbeitsspeicher: für ein langsames oder fast volles Laufwerk. Eine RAM-Disk braucht zusätzlich zum Bedarf des Modells so viel freien Speicher, wie die Modelldatei groß ist. Sie wird beim Beenden der App geleert.</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Higher values give more varied answers, lower values more predictable ones.</source>
        <translation>Höhere Werte ergeben vielfältigere Antworten, niedrigere vorhersehbarere.</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Only the most likely words whose probabilities add up to this value are considered.</source>
        <translation>Berücksichtigt werden nur die wahrscheinlichsten Wörter, deren Wahrscheinlichkeiten zusammen diesen Wert ergeben.</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Only this many of the most likely words are considered.</source>
        <translation>Nur so viele der wahrscheinlichsten Wörter werden berücksichtigt.</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Values above 1 make the model repeat itself less.</source>
        <translation>Werte über 1 lassen das Modell sich seltener wiederholen.</translation>
    </message>
    <message>
        <source>Maximum answer length (tokens)</source>
        <translation>Maximale Antwortlänge (Token)</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>Denkprozess</translation>
    </message>
    <message>
        <source>How long reasoning models (DeepSeek-R1) may think before they answer. With a budget, the thinking is closed after that many tokens and the model answers. Off only works with models whose chat template can switch thinking off (DeepSeek-V3.1 and later).</source>
        <translation>Wie lange Reasoning-Modelle (DeepSeek-R1) nachdenken dürfen, bevor sie antworten. Mit einem Budget wird der Denkprozess nach so vielen Token geschlossen und das Modell antwortet. „Aus“ wirkt nur bei Modellen, deren Chat-Vorlage das Denken abschalten kann (DeepSeek-V3.1 und neuer).</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Unbegrenzt</translation>
    </message>
    <message>
        <source>A budget of tokens</source>
        <translation>Ein Budget an Token</translation>
    </message>
    <message>
        <source>Thinking budget (tokens)</source>
        <translation>Denkbudget (Token)</translation>
    </message>
    <message>
        <source>The most tokens a model may think when the thinking has a budget.</source>
        <translation>Die meisten Token, die ein Modell nachdenken darf, wenn der Denkprozess ein Budget hat.</translation>
    </message>
    <message>
        <source>Thinking budget for low effort (tokens)</source>
        <translation>Denkbudget bei geringem Aufwand (Token)</translation>
    </message>
    <message>
        <source>The thinking budget of the local server&apos;s reasoning_effort &quot;low&quot; (and &quot;minimal&quot;, and Ollama&apos;s think &quot;low&quot;).</source>
        <translation>Das Denkbudget für reasoning_effort „low“ des lokalen Servers (auch für „minimal“ und Ollamas think „low“).</translation>
    </message>
    <message>
        <source>Thinking budget for medium effort (tokens)</source>
        <translation>Denkbudget bei mittlerem Aufwand (Token)</translation>
    </message>
    <message>
        <source>The thinking budget of the local server&apos;s reasoning_effort &quot;medium&quot; (and Ollama&apos;s think &quot;medium&quot;).</source>
        <translation>Das Denkbudget für reasoning_effort „medium“ des lokalen Servers (auch für Ollamas think „medium“).</translation>
    </message>
    <message>
        <source>Thinking budget for high effort (tokens)</source>
        <translation>Denkbudget bei hohem Aufwand (Token)</translation>
    </message>
    <message>
        <source>The thinking budget of the local server&apos;s reasoning_effort &quot;high&quot; (and Ollama&apos;s think &quot;high&quot;).</source>
        <translation>Das Denkbudget für reasoning_effort „high“ des lokalen Servers (auch für Ollamas think „high“).</translation>
    </message>
    <message>
        <source>Context length (tokens)</source>
        <translation>Kontextlänge (Token)</translation>
    </message>
    <message>
        <source>How much of the conversation the model sees. More needs more memory.</source>
        <translation>Wie viel der Unterhaltung das Modell sieht. Mehr braucht mehr Speicher.</translation>
    </message>
    <message>
        <source>System prompt for new conversations</source>
        <translation>Systemprompt für neue Unterhaltungen</translation>
    </message>
    <message>
        <source>Instructions the model gets before the first question.</source>
        <translation>Anweisungen, die das Modell vor der ersten Frage erhält.</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Where models run. Automatic: the graphics card the engine can use, else the processor (never a graphics card emulated on the processor).</source>
        <translation>Wo Modelle laufen. Automatisch: die Grafikkarte, die die Engine nutzen kann, sonst der Prozessor (nie eine auf dem Prozessor nachgebildete Grafikkarte).</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU-Layer</translation>
    </message>
    <message>
        <source>How many layers run on the graphics card. Automatic: as many as fit in its free memory. 0 runs everything on the processor.</source>
        <translation>Wie viele Schichten auf der Grafikkarte laufen. Automatisch: so viele, wie in ihren freien Speicher passen. 0 lässt alles auf dem Prozessor laufen.</translation>
    </message>
    <message>
        <source>Experts in system RAM</source>
        <translation>Experten im Arbeitsspeicher</translation>
    </message>
    <message>
        <source>For mixture-of-experts models (DeepSeek V3, R1, V2-Lite): the routed experts stay in system RAM while every other layer runs on the graphics card.</source>
        <translation>Für Mixture-of-Experts-Modelle (DeepSeek V3, R1, V2-Lite): Die gerouteten Experten bleiben im Arbeitsspeicher, während alle anderen Schichten auf der Grafikkarte laufen.</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <source>Automatic: the fastest count, measured on the model after each load.</source>
        <translation>Automatisch: die schnellste Anzahl, gemessen am Modell nach jedem Laden.</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <source>Tokens of the prompt processed at once.</source>
        <translation>Token des Prompts, die auf einmal verarbeitet werden.</translation>
    </message>
    <message>
        <source>Flash attention</source>
        <translation>Flash Attention</translation>
    </message>
    <message>
        <source>Faster replies and less memory for the context; needed for a smaller K/V cache precision.</source>
        <translation>Schnellere Antworten und weniger Speicher für den Kontext; nötig für eine geringere Genauigkeit des K/V-Caches.</translation>
    </message>
    <message>
        <source>K/V cache precision</source>
        <translation>Genauigkeit des K/V-Caches</translation>
    </message>
    <message>
        <source>Smaller types save memory for long conversations at a small cost in quality.</source>
        <translation>Kleinere Typen sparen bei langen Unterhaltungen Speicher, bei geringem Qualitätsverlust.</translation>
    </message>
    <message>
        <source>f16 (full)</source>
        <translation>f16 (voll)</translation>
    </message>
    <message>
        <source>q8_0 (half the memory)</source>
        <translation>q8_0 (halber Speicher)</translation>
    </message>
    <message>
        <source>q4_0 (a quarter of the memory)</source>
        <translation>q4_0 (ein Viertel des Speichers)</translation>
    </message>
    <message>
        <source>Prompt lookup (speculative decoding)</source>
        <translation>Prompt-Lookup (spekulatives Decodieren)</translation>
    </message>
    <message>
        <source>Guesses the next tokens from text earlier in the conversation and lets the model check several at once: faster when a reply repeats the prompt, as when editing code. The model checks every guess; only where it is undecided between two words can the reply differ. Replies that repeat little get slower (the checks cost more than they save), so it is off at first.</source>
        <translation>Errät die nächsten Tokens aus früherem Text der Unterhaltung und lässt das Modell mehrere auf einmal prüfen: schneller, wenn eine Antwort den Prompt wiederholt, etwa wenn Sie Code bearbeiten lassen. Das Modell prüft jede Vermutung; nur wo es zwischen zwei Wörtern unentschieden ist, kann die Antwort abweichen. Antworten, die wenig wiederholen, werden langsamer (die Prüfungen kosten mehr, als sie sparen), daher ist es zunächst aus.</translation>
    </message>
    <message>
        <source>Draft model (speculative decoding)</source>
        <translation>Entwurfsmodell (spekulatives Decodieren)</translation>
    </message>
    <message>
        <source>A small model of the same vocabulary guesses the next tokens and the main model checks several at once. &quot;auto&quot;: the catalogue&apos;s pair, when it is installed and fits in memory beside the main model (DeepSeek-R1-Distill-Qwen-1.5B for the 7B, 14B and 32B distills); &quot;off&quot;: none; or the name of an installed model or the path of a GGUF file. Used instead of prompt lookup.</source>
        <translation>Ein kleines Modell mit demselben Vokabular errät die nächsten Tokens, und das Hauptmodell prüft mehrere auf einmal. &quot;auto&quot;: das passende Modell aus dem Katalog, wenn es installiert ist und neben dem Hauptmodell in den Speicher passt (DeepSeek-R1-Distill-Qwen-1.5B für die Distill-Modelle mit 7B, 14B und 32B); &quot;off&quot;: keines; oder geben Sie den Namen eines installierten Modells oder den Pfad einer GGUF-Datei an. Wird anstelle des Prompt-Lookups verwendet.</translation>
    </message>
    <message>
        <source>Resume conversations without re-reading them</source>
        <translation>Unterhaltungen fortsetzen, ohne sie neu zu lesen</translation>
    </message>
    <message>
        <source>Keeps what the model has read of recent conversations, in memory and in the data folder, so that switching back or continuing after a restart starts answering at once.</source>
        <translation>Behält, was das Modell von den letzten Unterhaltungen gelesen hat, im Arbeitsspeicher und im Datenordner, damit es beim Zurückwechseln oder beim Fortsetzen nach einem Neustart sofort antwortet.</translation>
    </message>
    <message>
        <source>Space on disk for resuming (MB)</source>
        <translation>Platz auf der Festplatte zum Fortsetzen (MB)</translation>
    </message>
    <message>
        <source>When it is full, the conversation used least recently is read again next time instead.</source>
        <translation>Ist er voll, wird die am längsten nicht benutzte Unterhaltung beim nächsten Mal wieder ganz gelesen.</translation>
    </message>
    <message>
        <source>Space in memory for resuming (MB)</source>
        <translation>Platz im Arbeitsspeicher zum Fortsetzen (MB)</translation>
    </message>
    <message>
        <source>0: on disk only.</source>
        <translation>0: nur auf der Festplatte.</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>OpenAI-compatible servers, each with a name, a base URL and a model. API keys are kept in the system keyring, not in the settings file.</source>
        <translation>OpenAI-kompatible Server, jeweils mit Name, Basis-URL und Modell. API-Schlüssel liegen im Schlüsselbund des Systems, nicht in der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>Pace (words per second)</source>
        <translation>Tempo (Wörter pro Sekunde)</translation>
    </message>
    <message>
        <source>Serve the loaded model to other programs</source>
        <translation>Das geladene Modell anderen Programmen anbieten</translation>
    </message>
    <message>
        <source>An OpenAI- and Ollama-compatible API on this computer, for editors, scripts and other apps. Their requests and yours take turns.</source>
        <translation>Eine OpenAI- und Ollama-kompatible Schnittstelle auf diesem Computer, für Editoren, Skripte und andere Apps. Deren Anfragen und Ihre kommen abwechselnd an die Reihe.</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>127.0.0.1: only programs on this computer. Any other address needs an API key (Set API key… below).</source>
        <translation>127.0.0.1: nur Programme auf diesem Computer. Jede andere Adresse braucht einen API-Schlüssel (API-Schlüssel festlegen … weiter unten).</translation>
    </message>
    <message>
        <source>OpenAI port</source>
        <translation>OpenAI-Port</translation>
    </message>
    <message>
        <source>Ollama port</source>
        <translation>Ollama-Port</translation>
    </message>
    <message>
        <source>Allowed web origins</source>
        <translation>Erlaubte Web-Ursprünge</translation>
    </message>
    <message>
        <source>Web pages that may use the server, separated by spaces (for example http://localhost:3000). Empty: none.</source>
        <translation>Webseiten, die den Server nutzen dürfen, durch Leerzeichen getrennt (zum Beispiel http://localhost:3000). Leer: keine.</translation>
    </message>
    <message>
        <source>Waiting requests at most</source>
        <translation>Höchstens wartende Anfragen</translation>
    </message>
    <message>
        <source>Largest request (MB)</source>
        <translation>Größte Anfrage (MB)</translation>
    </message>
    <message>
        <source>Answer with the simulator when no model is loaded</source>
        <translation>Mit dem Simulator antworten, wenn kein Modell geladen ist</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>The server is off.</source>
        <translation>Der Server ist aus.</translation>
    </message>
    <message>
        <source>The server is on. OpenAI-compatible: {openai}</source>
        <translation>Der Server läuft. OpenAI-kompatibel: {openai}</translation>
    </message>
    <message>
        <source>Ollama-compatible: {ollama}</source>
        <translation>Ollama-kompatibel: {ollama}</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Takes effect when a model is loaded next.</source>
        <translation>Wirkt, sobald das nächste Mal ein Modell geladen wird.</translation>
    </message>
    <message>
        <source>Restore defaults on this page</source>
        <translation>Standardwerte dieser Seite wiederherstellen</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API-Schlüssel:</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen …</translation>
    </message>
</context>
<context>
    <name>TemplateNote</name>
    <message>
        <source>No chat template in the model file: a generic {name} template is used, answers may be worse than with the model&apos;s own.</source>
        <translation>Die Modelldatei enthält keine Chat-Vorlage: Es wird eine allgemeine {name}-Vorlage verwendet, die Antworten können schlechter sein als mit der eigenen Vorlage des Modells.</translation>
    </message>
</context>
<context>
    <name>Thinking</name>
    <message>
        <source>Thinking stopped at %1 tokens (budget)</source>
        <translation>Denkprozess nach %1 Token beendet (Budget)</translation>
    </message>
    <message>
        <source>Thinking budget sent to the server as reasoning effort &quot;%1&quot;</source>
        <translation>Denkbudget als Reasoning-Aufwand „%1“ an den Server gesendet</translation>
    </message>
    <message>
        <source>The server takes no thinking budget: it was not applied</source>
        <translation>Der Server nimmt kein Denkbudget an: Es wurde nicht angewendet</translation>
    </message>
</context>
<context>
    <name>ThinkingPicker</name>
    <message>
        <source>As in the settings</source>
        <translation>Laut Einstellungen</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Unbegrenzt</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 Token</translation>
    </message>
    <message>
        <source>Thinking:</source>
        <translation>Denken:</translation>
    </message>
    <message>
        <source>Thinking budget</source>
        <translation>Denkbudget</translation>
    </message>
    <message>
        <source>How long a reasoning model may think before it answers, for this conversation. Off only works with models whose chat template can switch thinking off.</source>
        <translation>Wie lange ein Reasoning-Modell in dieser Unterhaltung nachdenken darf, bevor es antwortet. „Aus“ wirkt nur bei Modellen, deren Chat-Vorlage das Denken abschalten kann.</translation>
    </message>
</context>
<context>
    <name>ThinkingSection</name>
    <message>
        <source>Thinking…</source>
        <translation>Denkt nach …</translation>
    </message>
    <message>
        <source>Thought for less than 0.1 s</source>
        <translation>Weniger als 0,1 s nachgedacht</translation>
    </message>
    <message>
        <source>Thought for {seconds} s</source>
        <translation>{seconds} s nachgedacht</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>Denkprozess</translation>
    </message>
    <message>
        <source>Shows or hides the model&apos;s reasoning</source>
        <translation>Zeigt oder verbirgt die Überlegungen des Modells</translation>
    </message>
</context>
<context>
    <name>VersionSwitch</name>
    <message>
        <source>{version} / {versions}</source>
        <translation>{version} / {versions}</translation>
    </message>
    <message>
        <source>Version {version} of {versions}</source>
        <translation>Version {version} von {versions}</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Vorherige Version</translation>
    </message>
    <message>
        <source>Show the previous version of this message</source>
        <translation>Vorherige Version dieser Nachricht anzeigen</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Nächste Version</translation>
    </message>
    <message>
        <source>Show the next version of this message</source>
        <translation>Nächste Version dieser Nachricht anzeigen</translation>
    </message>
</context>
</TS>
